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
#: whitespace/closer after it, captured (empty when the run does not end a sentence). One
#: left-to-right pass, linear even on a megabyte of dots; counting the non-empty captures needs
#: no Python loop over the matches.
_SENTENCE_END_RE = re.compile(r"[.!?؟…۔]++([\s\"'»”)\]]?)")
#: Common one-letter/short abbreviations whose dot does not end a sentence.
_ABBREVIATIONS = (" د. ", " أ. ", " م. ", " أ.د. ", " Dr. ", " Mr. ", " Mrs. ", " Ms. ", " St. ", " No. ")
#: What the text before a ``". "`` ends with when an abbreviation is there (``.split(". ")``
#: consumes the space of a directly preceding ``". "``, hence the bare forms too).
_ABBREVIATION_TAILS = tuple(a[:-2] for a in _ABBREVIATIONS) + tuple(a[1:-2] for a in _ABBREVIATIONS)
#: Tokens without any letter or digit (the free-standing ``،``, ``-``, ``...``): a run of
#: non-word characters with whitespace or an edge on both sides. It starts with the character
#: class, so the scan only stops at punctuation, not at every space.
_NON_WORD_TOKEN_RE = re.compile(r"\s[^\w\s]++(?=\s)")
#: The same in hygienic text (single spaces, ``\n\n`` between paragraphs, no edge space): a
#: token starts after a space, after a newline or at the start. A literal first character lets
#: the regex engine jump from space to space (~2x faster than testing ``\s`` at every char).
_NON_WORD_AFTER_SPACE_RE = re.compile(r" [^\w\s]++(?=[ \n]|\Z)")
_NON_WORD_AFTER_NEWLINE_RE = re.compile(r"\n[^\w\s]++(?=[ \n]|\Z)")
_NON_WORD_FIRST_RE = re.compile(r"[^\w\s]++(?=[ \n]|\Z)")


def join_paragraphs(paragraphs: list[str]) -> tuple[str, list[list[int]]]:
    offsets: list[list[int]] = []
    pos = 0
    for p in paragraphs:
        offsets.append([pos, pos + len(p)])
        pos += len(p) + 2
    return "\n\n".join(paragraphs), offsets


def _abbreviations(text: str) -> int:
    """``sum(text.count(a) for a in _ABBREVIATIONS)``; most texts have none, which one split on
    ``". "`` (every abbreviation ends with it) shows without ten scans of the text."""
    if ". " not in text:
        return 0
    pieces = text.split(". ")
    del pieces[-1]
    if not any(p.endswith(_ABBREVIATION_TAILS) for p in pieces):
        return 0
    return sum(text.count(a) for a in _ABBREVIATIONS)


def sentence_count(text: str, paragraphs: list[str], *, hygienic: bool = False) -> int:
    """``hygienic``: the only whitespace in ``text`` is ASCII space and newline (the cleaner's
    text). A run of terminators then ends a sentence exactly where its last character is
    followed by a space, a newline or a closer, so the ends are counts of two-character strings
    (they cannot overlap: the follower is never a terminator), only for the terminators and
    closers the text has: a few memchr-speed scans instead of a regex testing every character."""
    if hygienic:
        terms = [t for t in _TERMINATORS if t in text]
        ends = 0
        if terms:
            followers = [" ", "\n"] + [c for c in _CLOSERS if c in text]
            ends = sum(text.count(t + f) for t in terms for f in followers)
    else:
        followers = _SENTENCE_END_RE.findall(text)
        ends = len(followers) - followers.count("")
    if text and text[-1] in _TERMINATORS:  # the final run ends the text: a sentence end too
        ends += 1
    ends -= _abbreviations(text)
    unterminated = 0
    for p in paragraphs:
        tail = p.rstrip(_CLOSERS)
        if not tail or tail[-1] not in _TERMINATORS:
            unterminated += 1
    return max(ends, 0) + unterminated


def word_count(text: str, paragraphs: list[str] | None = None) -> int:
    """``paragraphs``: the hygienic paragraphs ``text`` was joined from (non-empty, no edge
    spaces, single ASCII spaces, no other whitespace: what :mod:`.unicode` and
    :mod:`.boilerplate` produce). Then the whitespace-separated tokens are the spaces plus one
    per paragraph, and the text need not be split into a list of words."""
    if paragraphs is None:
        return len(text.split()) - len(_NON_WORD_TOKEN_RE.findall(" " + text + " "))
    non_words = len(_NON_WORD_AFTER_SPACE_RE.findall(text))
    if len(paragraphs) > 1:
        non_words += len(_NON_WORD_AFTER_NEWLINE_RE.findall(text))
    if _NON_WORD_FIRST_RE.match(text):
        non_words += 1
    return text.count(" ") + len(paragraphs) - non_words


def content_hash(text_normalized: str) -> str:
    return hashlib.sha256(text_normalized.encode("utf-8", "surrogatepass")).hexdigest()
