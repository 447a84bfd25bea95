"""The reference the trend tests compare against: a direct count, written independently of the core."""

from __future__ import annotations

from datetime import datetime, timezone


def _utc_ms(value: str) -> int:
    dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return int(dt.timestamp() * 1000)


def direct_count(records, size_ms: int) -> dict[tuple[int, str], tuple[int, int]]:
    """(window start ms, entity key) -> (distinct articles, mentions), each article id counted once
    per window. Event time: published_at (UTC without offset), else ingested_at."""
    ids: dict[tuple[int, str], set] = {}
    mentions: dict[tuple[int, str], int] = {}
    for rec in records:
        stamp = rec.get("published_at") or rec.get("ingested_at")
        t = _utc_ms(stamp)
        per_key: dict[str, int] = {}
        for e in rec.get("entities") or ():
            key = e["id"] or f"{e['type']}:{e['text']}"
            per_key[key] = per_key.get(key, 0) + len(e["mentions"])
        for key, n in per_key.items():
            cell = (t - t % size_ms, key)
            seen = ids.setdefault(cell, set())
            if rec["id"] not in seen:
                seen.add(rec["id"])
                mentions[cell] = mentions.get(cell, 0) + n
    return {cell: (len(seen), mentions[cell]) for cell, seen in ids.items()}


def row_cells(rows, window: str) -> dict[tuple[int, str], tuple[int, int]]:
    """The same shape from trend rows (the last row of a (window, entity) wins)."""
    out = {}
    for r in rows:
        if r["window"] == window:
            out[(_utc_ms(r["window_start"]), r["entity"]["key"])] = (r["articles"], r["mentions"])
    return out
