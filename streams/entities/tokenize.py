"""Tokenisation with character offsets.

A token is a run of letters, digits, combining marks (Arabic diacritics) and tatweel, with
internal ``.``/``'``/``-`` joining runs (``3.5``, ``al-Sadr``), French elisions (``l'``) split off; every other
non-space character is a token of its own. Offsets are ``[start, end)`` into the given string, so
``s[start:end] == token`` always holds. Sentences are cut at ``. ! ? ؟ ;`` and at line breaks.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from itertools import accumulate
from typing import NamedTuple

_WORD = r"[\w\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]"
_ELISION = r"(?<!\w)(?:[lLdDjJmMnNsStTcC]|[Qq]u)['’](?=\w)"  # French l'OTAN, d'Irak
_TOKEN = re.compile(rf"{_ELISION}|{_WORD}+(?:[.'’\-]{_WORD}+)*|[^\s]", re.UNICODE)
# the same tokens as one capturing group: ``split`` gives [gap, token, gap, ..., gap] (gaps are
# whitespace, as every other non-space character is a token), so offsets are running sums of
# lengths, without a match object per token. Written for speed, the same tokens as ``_TOKEN``
# (tested): the elision is tried only at one of its letters (a lookahead, cheaper than its
# lookbehind at every token), and the runs are possessive (no letter of a run can start the
# ``.'’-`` joint, so no backtracking was ever needed)
_SPLIT = re.compile(rf"((?=[lLdDjJmMnNsStTcCQq]){_ELISION}|{_WORD}++(?:[.'’\-]{_WORD}++)*+|[^\s])", re.UNICODE)
_SENT_END = ".!?؟;؛…"
_SENT_END_CHAR = re.compile(f"[{re.escape(_SENT_END)}]")
MAX_SENTENCE = 120


def tokenize(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


class Sentence(NamedTuple):
    """One sentence-like chunk: its tokens and their ``[start, end)`` offsets (parallel lists)."""

    tokens: list[str]
    starts: list[int]
    ends: list[int]


def split_sentences(text: str) -> list[Sentence]:
    """Tokens grouped into sentence-like chunks (never longer than ``MAX_SENTENCE`` tokens);
    a line break always ends a chunk, and so does a sentence-final mark that is not the chunk's
    first token. One regex split for the whole text (a token never spans a line break, and the
    pattern looks no further than the neighbouring character, which a line break is not part
    of), then the cuts."""
    parts = _SPLIT.split(text)
    if len(parts) == 1:
        return []
    toks = parts[1::2]
    offs = list(accumulate(map(len, parts), initial=0))
    starts = offs[1:-1:2]
    ends = offs[2::2]
    m = len(toks)
    # a line ends before token k (0 < k < m) when a newline lies in the gap before it: found from
    # the text's newlines (a few per article) by bisection, never token by token
    lines = []
    p = text.find("\n")
    while p >= 0:
        k = bisect_right(starts, p)  # the first token after the newline
        if k >= m:
            break
        if k:
            lines.append(k)
        p = text.find("\n", starts[k])  # newlines of the same gap give the same k
    lines.append(m)
    # the tokens that are a sentence mark (a token starting with a mark is that mark): a mark
    # character where a token starts
    marks = []
    for c in _SENT_END_CHAR.finditer(text):
        p = c.start()
        k = bisect_left(starts, p)
        if k < m and starts[k] == p:
            marks.append(k)
    out: list[Sentence] = []
    e = 0
    start = 0
    for stop in lines:  # the tokens of one line: [start, stop)
        while start < stop:
            while e < len(marks) and marks[e] <= start:
                e += 1
            cut = start + MAX_SENTENCE - 1
            if e < len(marks) and marks[e] < cut:
                cut = marks[e]
            if cut > stop - 1:
                cut = stop - 1
            out.append(Sentence(toks[start:cut + 1], starts[start:cut + 1], ends[start:cut + 1]))
            start = cut + 1
    return out


def sentences(text: str) -> list[list[tuple[str, int, int]]]:
    """:func:`split_sentences` as lists of ``(token, start, end)``."""
    return [list(zip(*s)) for s in split_sentences(text)]
