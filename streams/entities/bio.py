"""BIO (IOB2) label sequences <-> entity chunks, with seqeval's default (lenient) rules: the
model's labels become spans at run time, and gold and predicted labels are compared in
evaluation."""

from __future__ import annotations

from collections.abc import Iterable, Sequence


def get_entities(tags: Sequence[str]) -> list[tuple[str, int, int]]:
    """Chunks ``(type, start, end_exclusive)`` from IOB tags, with seqeval's default rules
    (an I- after O or after another type starts a new chunk)."""
    chunks = []
    typ = None
    start = 0
    for i, tag in enumerate(list(tags) + ["O"]):
        if tag == "O" or tag == "":
            pre, t = "O", None
        else:
            pre, _, t = tag.partition("-")
        if typ is not None and (pre in ("B", "S", "O") or t != typ):
            chunks.append((typ, start, i))
            typ = None
        if pre != "O" and (pre in ("B", "S") or typ is None):
            typ = t
            start = i
    return chunks


def spans_to_tags(n: int, spans: Iterable[tuple[int, int, str]]) -> list[str]:
    """IOB2 tags for ``n`` tokens from ``(start, end_exclusive, type)`` spans."""
    tags = ["O"] * n
    for i, j, t in spans:
        tags[i] = f"B-{t}"
        for k in range(i + 1, j):
            tags[k] = f"I-{t}"
    return tags
