"""Paragraph offsets, counts and the duplicate fingerprint of cleaned text.

* ``paragraphs``: ``[start, end)`` offsets into the display ``text`` (joined with ``"\\n\\n"``),
  computed while joining so they cannot drift from the text.
* ``sentence_count``: sentence-final punctuation (``. ! ? ؟ …`` and the Urdu full stop) followed
  by whitespace or the end, not after a one-letter word (``د.``, ``U.S.``), plus one for every
  paragraph that does not end in such punctuation (headlines, list items, verse).
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
# Only the first character of a punctuation run may start a match (the leading lookbehind), so
# a megabyte of dots is one linear scan, not a quadratic backtrack.
_SENTENCE_END_RE = re.compile(
    r"(?<![.!?؟…۔])(?<!(?<![^\W\d_])[^\W\d_])(?<!\s)(?<!^)[.!?؟…۔]+(?=[\s\"'»”)\]]|$)", re.MULTILINE
)
#: Tokens without any letter or digit (``،``, ``-``, ``...``): subtracted from the token count.
_NON_WORD_TOKEN_RE = re.compile(r"(?<!\S)(?:[^\w\s]|_)+(?!\S)")


def join_paragraphs(paragraphs: list[str]) -> tuple[str, list[list[int]]]:
    offsets: list[list[int]] = []
    pos = 0
    for p in paragraphs:
        offsets.append([pos, pos + len(p)])
        pos += len(p) + 2
    return "\n\n".join(paragraphs), offsets


def sentence_count(text: str, paragraphs: list[str]) -> int:
    ends = len(_SENTENCE_END_RE.findall(text))
    unterminated = sum(1 for p in paragraphs if p.rstrip(_CLOSERS)[-1:] not in _TERMINATORS or not p.rstrip(_CLOSERS))
    return ends + unterminated


def word_count(text: str) -> int:
    return len(text.split()) - len(_NON_WORD_TOKEN_RE.findall(text))


def content_hash(text_normalized: str) -> str:
    return hashlib.sha256(text_normalized.encode("utf-8", "surrogatepass")).hexdigest()
