"""Trend rows offline, from enriched records (what ``news-streams trends`` runs).

The same :class:`~streams.trends.state.TrendState` as the worker, on one partition. By default
articles are counted in event-time order (``order="event"``), which is the answer a replay of a
sorted archive gives; ``order="input"`` feeds them as they come, as a live stream would (then
articles more than the lateness behind the newest one are dropped, as in the worker). At the end
every window still open is closed. Each (window, entity) appears once, with its final counts.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable

from .config import TrendConfig
from .events import Observation, extract
from .state import TrendState


@dataclass
class BatchResult:
    rows: list[dict]
    articles: int = 0
    outcomes: Counter = field(default_factory=Counter)  # counted / late / duplicate (per entity)
    skipped: Counter = field(default_factory=Counter)  # reasons an article or entity was refused


def _row_key(row: dict) -> tuple:
    return row["window"], row["window_start"], row["entity"]["key"]


def trend_rows(records: Iterable[Any], config: TrendConfig | None = None, *, order: str = "event",
               windows: Iterable[str] | None = None, now_ms: int | None = None) -> BatchResult:
    """Final trend rows of ``records`` (enriched records as dicts), sorted by window size,
    window start and descending score; ``windows`` keeps only those labels (``1h``...)."""
    if order not in ("event", "input"):
        raise ValueError(f"order must be 'event' or 'input', not {order!r}")
    config = config or TrendConfig()
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    result = BatchResult(rows=[])
    articles: list[list[Observation]] = []
    for record in records:
        result.articles += 1
        extracted = extract(record, now_ms=now_ms, future_ms=config.future_ms, max_entities=config.max_entities)
        result.skipped.update(extracted.skipped)
        if extracted.observations:
            articles.append(extracted.observations)
    if order == "event":
        articles.sort(key=lambda group: group[0].t)  # stable: input order among equal times
    state = TrendState(config)
    final: dict[tuple, dict] = {}
    for group in articles:
        outcome, rows = state.observe_article(group[0].article, group[0].t, group)
        result.outcomes[outcome] += len(group)
        for row in rows:
            final[_row_key(row)] = row
    for row in state.take_updates() + state.open_rows():
        final[_row_key(row)] = row
    wanted = set(windows) if windows else None
    sizes = {s.label: s.size_ms for s in config.windows}
    rows = [r for r in final.values() if wanted is None or r["window"] in wanted]
    rows.sort(key=lambda r: (sizes[r["window"]], r["window_start"], -r["score"], r["entity"]["key"]))
    result.rows = rows
    return result
