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
    """Tokens grouped into sentence-like chunks (never longer than ``MAX_SENTENCE`` tokens);
    a line break always ends a chunk, and so does a sentence-final mark that is not the chunk's
    first token."""
    out: list[list[tuple[str, int, int]]] = []
    pos = 0
    n = len(text)
    finditer = _TOKEN.finditer
    while pos < n:
        eol = text.find("\n", pos)
        if eol < 0:
            eol = n
        toks = [(m.group(), m.start(), m.end()) for m in finditer(text, pos, eol)]
        pos = eol + 1
        m = len(toks)
        if not m:
            continue
        ends = [i for i, t in enumerate(toks) if t[0] in _SENT_END]
        start = 0
        e = 0
        while start < m:
            while e < len(ends) and ends[e] <= start:
                e += 1
            cut = start + MAX_SENTENCE - 1
            if e < len(ends) and ends[e] < cut:
                cut = ends[e]
            if cut > m - 1:
                cut = m - 1
            out.append(toks[start:cut + 1])
            start = cut + 1
    return out
