"""Paragraph offsets, counts and the duplicate fingerprint of cleaned text.

* ``paragraphs``: ``[start, end)`` offsets into the display ``text`` (joined with ``"\\n\\n"``),
  computed while joining so they cannot drift from the text.
* ``sentence_count``: runs of sentence-final punctuation (``. ! ? ؟ …`` and the Urdu full stop)
  followed by whitespace, a closing quote/bracket or the end, minus common abbreviations
  (``د.``, ``Dr.``), plus one for every paragraph that does not end in such punctuation
  (headlines, list items, verse). Cheap by design: it runs on every article.
* ``word_count``: whitespace-separated tokens with at least one letter or digit, so the
  free-standing ``،`` of Saudi wire copy is not a word.
* ``content_hash``: SHA-256 of ``text_normalized``: the same story scraped twice, or wire copy
  reprinted with different diacritics/alef spelling, gets the same hash.
"""

from __future__ import annotations

import hashlib
import re

_TERMINATORS = ".!?؟…۔"
_CLOSERS = "\"'»”)]"
#: A run of terminators (possessive: never re-scanned) and, when it ends a sentence, the
#: whitespace/closer after it. One left-to-right pass, linear even on a megabyte of dots.
_SENTENCE_END_RE = re.compile(r"[.!?؟…۔]++[\s\"'»”)\]]?")
#: Common one-letter/short abbreviations whose dot does not end a sentence.
_ABBREVIATIONS = (" د. ", " أ. ", " م. ", " أ.د. ", " Dr. ", " Mr. ", " Mrs. ", " Ms. ", " St. ", " No. ")
#: Tokens without any letter or digit (the free-standing ``،``, ``-``, ``...``).
_NON_WORD_TOKEN_RE = re.compile(r"\s[^\w\s]++(?=\s)")


def join_paragraphs(paragraphs: list[str]) -> tuple[str, list[list[int]]]:
    offsets: list[list[int]] = []
    pos = 0
    for p in paragraphs:
        offsets.append([pos, pos + len(p)])
        pos += len(p) + 2
    return "\n\n".join(paragraphs), offsets


def sentence_count(text: str, paragraphs: list[str]) -> int:
    ends = sum(1 for m in _SENTENCE_END_RE.findall(text + "\n") if m[-1] not in _TERMINATORS)
    ends -= sum(text.count(a) for a in _ABBREVIATIONS)
    unterminated = 0
    for p in paragraphs:
        tail = p.rstrip(_CLOSERS)
        if not tail or tail[-1] not in _TERMINATORS:
            unterminated += 1
    return max(ends, 0) + unterminated


def word_count(text: str) -> int:
    return len(text.split()) - _NON_WORD_TOKEN_RE.subn("", " " + text + " ")[1]


def content_hash(text_normalized: str) -> str:
    return hashlib.sha256(text_normalized.encode("utf-8", "surrogatepass")).hexdigest()
