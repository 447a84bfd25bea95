"""Tokenisation with character offsets.

A token is a run of letters, digits, combining marks (Arabic diacritics) and tatweel, with
internal ``.``/``'``/``-`` joining runs (``3.5``, ``al-Sadr``), French elisions (``l'``) split off; every other
non-space character is a token of its own. Offsets are ``[start, end)`` into the given string, so
``s[start:end] == token`` always holds. Sentences are cut at ``. ! ? ؟ ;`` and at line breaks.
"""

from __future__ import annotations

import re

_WORD = r"[\w\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]"
_ELISION = r"(?<!\w)(?:[lLdDjJmMnNsStTcC]|[Qq]u)['’](?=\w)"  # French l'OTAN, d'Irak
_TOKEN = re.compile(rf"{_ELISION}|{_WORD}+(?:[.'’\-]{_WORD}+)*|[^\s]", re.UNICODE)
_SENT_END = frozenset(".!?؟;؛…")
MAX_SENTENCE = 120


def tokenize(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def sentences(text: str) -> list[list[tuple[str, int, int]]]:
    """Tokens grouped into sentence-like chunks (never longer than ``MAX_SENTENCE`` tokens)."""
    out: list[list[tuple[str, int, int]]] = []
    cur: list[tuple[str, int, int]] = []
    prev_end = 0
    for m in _TOKEN.finditer(text):
        tok, s, e = m.group(), m.start(), m.end()
        if cur and "\n" in text[prev_end:s]:
            out.append(cur)
            cur = []
        cur.append((tok, s, e))
        prev_end = e
        if (tok in _SENT_END and len(cur) > 1) or len(cur) >= MAX_SENTENCE:
            out.append(cur)
            cur = []
    if cur:
        out.append(cur)
    return out
