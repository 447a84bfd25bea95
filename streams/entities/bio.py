"""BIO (IOB2) label sequences <-> entity chunks, with seqeval's default (lenient) rules: the
model's labels become spans at run time, and gold and predicted labels are compared in
evaluation."""

from __future__ import annotations

import operator
from collections.abc import Iterable, Sequence
from itertools import compress, count

_OUTSIDE = frozenset(("O", "")).__contains__


def get_entities(tags: Sequence[str]) -> list[tuple[str, int, int]]:
    """Chunks ``(type, start, end_exclusive)`` from IOB tags, with seqeval's default rules
    (an I- after O or after another type starts a new chunk). Only the tags inside entities
    are visited (most tags of a sentence are O): an O between two of them ends a chunk."""
    chunks = []
    typ = None
    start = 0
    last = -2  # the previous tag visited
    for i in compress(count(), map(operator.not_, map(_OUTSIDE, tags))):
        if typ is not None and i != last + 1:  # O tags since the last one: the chunk ended there
            chunks.append((typ, start, last + 1))
            typ = None
        pre, _, t = tags[i].partition("-")
        if typ is not None and (pre in ("B", "S") or t != typ):
            chunks.append((typ, start, i))
            typ = None
        if pre in ("B", "S") or typ is None:
            typ = t
            start = i
        last = i
    if typ is not None:
        chunks.append((typ, start, last + 1))
    return chunks


def spans_to_tags(n: int, spans: Iterable[tuple[int, int, str]]) -> list[str]:
    """IOB2 tags for ``n`` tokens from ``(start, end_exclusive, type)`` spans."""
    tags = ["O"] * n
    for i, j, t in spans:
        tags[i] = f"B-{t}"
        for k in range(i + 1, j):
            tags[k] = f"I-{t}"
    return tags
