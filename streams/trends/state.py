"""Event-time tumbling-window counts per entity, with a watermark, lateness, baselines and expiry.

One :class:`TrendState` serves one partition of the entity-keyed stream (every entity lives in
exactly one), or a whole file in the batch command. It is pure Python; its durable state is two
mappings the caller passes in: plain dicts offline, Faust tables (with changelogs) in the worker.

* ``seen``: ``article id + US + partition`` -> ``[t, partition, [[key, mentions, type, text, id, name], ...]]``,
  one entry per counted article and partition, listing the article's entities this partition
  counts. It makes counting idempotent (an article replayed after a crash, or sent twice
  upstream, is counted once per window; a later version of an article with other entities is
  a duplicate too) and it is the source the in-memory window counts are rebuilt from after a
  restart (:meth:`rebuild`). One entry (and one changelog record) per article and partition,
  not per entity, keeps the stage's Kafka traffic to a few records per article.
* ``history``: ``window label + US + entity key`` -> ``{"p": partition, "h": [[start, articles], ...]}``:
  final counts of windows older than the lateness horizon, at most the baseline's ``K`` of them,
  so baselines reach further back than the article-level state is kept.

Time is event time. The *watermark* is the largest event time counted so far. A window
``[start, end)`` *closes* when the watermark reaches ``end``: a row per entity is emitted then.
A late article that still updates a closed window marks its (window, entity) as updated; the
caller collects those rows with :meth:`take_updates` (the worker about once a second, so a burst
of late articles for one entity makes one row, not one each), and the rows of a window about to
expire are always returned before it goes. Articles more than the allowed lateness
behind the watermark are dropped (outcome ``late``); windows, ``seen`` entries and history that
no accepted article can touch any more are deleted, so state stays bounded on an endless stream:
about ``lateness + largest window`` of articles plus ``K`` counts per recently
active entity and window size.
"""

from __future__ import annotations

import functools
import math
from datetime import datetime, timezone
from typing import Any, Iterable, MutableMapping

from .. import SCHEMA_VERSION
from ..timeutil import rfc3339
from .config import TrendConfig, WindowSpec
from .events import DUPLICATE, LATE, Observation
from .score import baseline, burst_score

SEP = "\x1f"
COUNTED = "counted"


class _Agg:
    """Counts of one entity in one window; ``rep`` names it after its earliest article."""

    __slots__ = ("articles", "mentions", "rep")

    def __init__(self, rep: tuple) -> None:
        self.articles = 0
        self.mentions = 0
        self.rep = rep  # (t, article, type, text, id, name)


@functools.lru_cache(maxsize=4096)  # window bounds repeat for every entity of a window
def ms_to_rfc3339(ms: int) -> str:
    return rfc3339(datetime.fromtimestamp(ms / 1000.0, timezone.utc))


class TrendState:
    def __init__(self, config: TrendConfig, seen: MutableMapping[str, Any] | None = None,
                 history: MutableMapping[str, Any] | None = None, partition: int = 0) -> None:
        self.config = config
        self.seen: MutableMapping[str, Any] = {} if seen is None else seen
        self.history: MutableMapping[str, Any] = {} if history is None else history
        self.partition = partition
        self.watermark: int | None = None
        self.specs = config.windows
        self._by_label = {s.label: s for s in self.specs}
        self._by_size = {s.size_ms: s for s in self.specs}
        self._largest = max(s.size_ms for s in self.specs)
        self._step = math.gcd(*(s.size_ms for s in self.specs))  # every window boundary is a multiple
        #: size -> window start -> entity key -> counts (windows not yet past the lateness horizon)
        self.windows: dict[int, dict[int, dict[str, _Agg]]] = {s.size_ms: {} for s in self.specs}
        self._expiry: dict[int, list[str]] = {}  # largest-size window start -> seen keys in it
        self._history_expiry: dict[tuple[int, int], set[str]] = {}  # (size, last start) -> history keys
        self._history_last: dict[str, tuple[int, int]] = {}  # history key -> its (size, last start)
        self._next_change: int | None = None  # the watermark at which something closes or expires
        self._updated: dict[tuple[int, int, str], None] = {}  # closed (size, start, key) changed since taken

    # -- counting -------------------------------------------------------------------------------
    def observe(self, obs: Observation) -> tuple[str, list[dict]]:
        """One article with one entity (see :meth:`observe_article`)."""
        return self.observe_article(obs.article, obs.t, [obs])

    def observe_article(self, article: str, t: int, observations: list[Observation]) -> tuple[str, list[dict]]:
        """Count an article's entities (those of this partition, distinct keys, all at event time
        ``t``); returns the outcome (counted, duplicate, late) and the rows of windows it closes."""
        wm = self.watermark
        if wm is not None and t < wm - self.config.lateness_ms:
            return LATE, []
        skey = article + SEP + str(self.partition)
        if skey in self.seen:
            return DUPLICATE, []
        self.seen[skey] = [t, self.partition, [[o.key, o.mentions, o.type, o.text, o.id, o.name] for o in observations]]
        self._index(skey, t)
        for o in observations:
            self._count(o.key, t, o.mentions, (t, article, o.type, o.text, o.id, o.name), track=wm is not None)
        return COUNTED, self._advance(t) if wm is None or t > wm else []

    @property
    def pending_updates(self) -> int:
        return len(self._updated)

    def take_updates(self) -> list[dict]:
        """Rows of the closed (window, entity) pairs late articles changed since the last call."""
        rows = []
        for size, start, key in self._updated:
            agg = self.windows[size].get(start, {}).get(key)
            if agg is not None:
                rows.append(self._row(self._by_size[size], start, key, agg))
        self._updated.clear()
        return rows

    def _index(self, skey: str, t: int) -> None:
        bucket = t - t % self._largest
        keys = self._expiry.get(bucket)
        if keys is None:
            keys = self._expiry[bucket] = []
        keys.append(skey)

    def _count(self, key: str, t: int, mentions: int, rep: tuple, track: bool, horizon: int | None = None) -> None:
        wm = self.watermark
        for spec in self.specs:
            size = spec.size_ms
            start = t - t % size
            if horizon is not None and start + size <= horizon:
                continue
            by_start = self.windows[size]
            window = by_start.get(start)
            if window is None:
                window = by_start[start] = {}
            agg = window.get(key)
            if agg is None:
                agg = window[key] = _Agg(rep)
            elif rep[:2] < agg.rep[:2]:
                agg.rep = rep
            agg.articles += 1
            agg.mentions += mentions
            if track and start + size <= wm:  # a late article in a closed window: an update
                self._updated[(size, start, key)] = None

    # -- the watermark: closing and expiring ------------------------------------------------------
    def _advance(self, new: int) -> list[dict]:
        old = self.watermark
        self.watermark = new
        if old is not None and self._next_change is not None and new < self._next_change:
            return []
        rows: list[dict] = []
        for spec in self.specs:
            size = spec.size_ms
            by_start = self.windows[size]
            for start in sorted(by_start):
                end = start + size
                if end <= new and (old is None or end > old):
                    rows.extend(self._window_rows(spec, start))
        rows.extend(self._expire(new - self.config.lateness_ms))
        self._next_change = self._next_boundary(new)
        return rows

    def _next_boundary(self, wm: int) -> int:
        """The smallest watermark above ``wm`` at which a window can close or expire."""
        step, lateness = self._step, self.config.lateness_ms
        close = (wm // step + 1) * step
        expire = ((wm - lateness) // step + 1) * step + lateness
        return min(close, expire)

    def _expire(self, horizon: int) -> list[dict]:
        """Drop what no article at or after ``horizon`` (watermark - lateness) can change; returns
        the pending update rows first if a window is about to go."""
        rows: list[dict] = []
        if self._updated and any(s + size <= horizon for size, by_start in self.windows.items() for s in by_start):
            rows = self.take_updates()
        for spec in self.specs:
            size = spec.size_ms
            by_start = self.windows[size]
            for start in [s for s in by_start if s + size <= horizon]:
                window = by_start.pop(start)
                for key, agg in window.items():
                    self._archive(spec, start, key, agg.articles)
        for bucket in [b for b in self._expiry if b + self._largest <= horizon]:
            for skey in self._expiry.pop(bucket):
                self.seen.pop(skey, None)
        for size_start in [k for k in self._history_expiry if self._history_useless(k, horizon)]:
            for hkey in self._history_expiry.pop(size_start):
                del self._history_last[hkey]
                self.history.pop(hkey, None)
        return rows

    def _history_useless(self, size_start: tuple[int, int], horizon: int) -> bool:
        size, start = size_start
        spec = next(s for s in self.specs if s.size_ms == size)
        # the oldest window that can still be emitted starts at or after horizon - size
        return start + (spec.baseline_windows + 1) * size <= horizon

    def _archive(self, spec: WindowSpec, start: int, key: str, articles: int) -> None:
        size = spec.size_ms
        hkey = spec.label + SEP + key
        old = self.history.get(hkey)
        keep_from = start - spec.baseline_windows * size
        pairs = [p for p in (old["h"] if old else ()) if p[0] >= keep_from and p[0] != start]
        pairs.append([start, articles])
        self.history[hkey] = {"p": self.partition, "h": pairs}
        self._note_history(hkey, size, start)

    def _note_history(self, hkey: str, size: int, start: int) -> None:
        previous = self._history_last.get(hkey)
        if previous is not None:
            self._history_expiry.get(previous, set()).discard(hkey)
        self._history_last[hkey] = (size, start)
        self._history_expiry.setdefault((size, start), set()).add(hkey)

    # -- rows ----------------------------------------------------------------------------------
    def _previous_sum(self, spec: WindowSpec, start: int, key: str) -> int:
        """Articles of ``key`` in the K windows before ``start`` (kept windows, else archived)."""
        size = spec.size_ms
        by_start = self.windows[size]
        total = 0
        missing = []
        for s in range(start - spec.baseline_windows * size, start, size):
            window = by_start.get(s)
            if window is None:
                missing.append(s)
            else:
                agg = window.get(key)
                if agg is not None:
                    total += agg.articles
        if missing:
            value = self.history.get(spec.label + SEP + key)
            if value:
                archived = {p[0]: p[1] for p in value["h"]}
                total += sum(archived.get(s, 0) for s in missing)
        return total

    def _row(self, spec: WindowSpec, start: int, key: str, agg: _Agg) -> dict:
        expected = baseline(self._previous_sum(spec, start, key), spec.baseline_windows)
        _, _, etype, text, eid, name = agg.rep
        return {
            "schema_version": SCHEMA_VERSION,
            "window": spec.label,
            "window_start": ms_to_rfc3339(start),
            "window_end": ms_to_rfc3339(start + spec.size_ms),
            "entity": {"key": key, "type": etype, "text": text, "id": eid, "name": name},
            "articles": agg.articles,
            "mentions": agg.mentions,
            "baseline": round(expected, 4),
            "score": round(burst_score(agg.articles, expected), 4),
        }

    def _window_rows(self, spec: WindowSpec, start: int) -> list[dict]:
        window = self.windows[spec.size_ms].get(start) or {}
        return [self._row(spec, start, key, window[key]) for key in sorted(window)]

    def closed_rows(self) -> list[dict]:
        """Rows of every closed window still kept (re-emitted after a restart: a crash may have
        lost rows whose counts the changelog already holds)."""
        if self.watermark is None:
            return []
        return [row for spec in self.specs for start in sorted(self.windows[spec.size_ms])
                if start + spec.size_ms <= self.watermark for row in self._window_rows(spec, start)]

    def open_rows(self) -> list[dict]:
        """Rows of the windows the watermark has not reached (the batch command emits them at the end)."""
        if self.watermark is None:
            return []
        return [row for spec in self.specs for start in sorted(self.windows[spec.size_ms])
                if start + spec.size_ms > self.watermark for row in self._window_rows(spec, start)]

    def current(self, label: str, limit: int) -> list[dict]:
        """The top ``limit`` rows by score of the window that holds the watermark (still open)."""
        spec = self._by_label.get(label)
        if spec is None or self.watermark is None:
            return []
        start = self.watermark - self.watermark % spec.size_ms
        rows = self._window_rows(spec, start)
        rows.sort(key=lambda r: (-r["score"], -r["articles"], r["entity"]["key"]))
        return rows[:limit]

    # -- recovery and size ----------------------------------------------------------------------
    def rebuild(self, seen_items: Iterable[tuple[str, Any]], history_items: Iterable[tuple[str, Any]]) -> None:
        """Rebuild the in-memory windows from the durable mappings' entries of this partition."""
        for by_start in self.windows.values():
            by_start.clear()
        self._expiry.clear()
        self._history_expiry.clear()
        self._history_last.clear()
        mine = [(skey, value) for skey, value in seen_items if value[1] == self.partition]
        self.watermark = max((value[0] for _, value in mine), default=None)
        horizon = None if self.watermark is None else self.watermark - self.config.lateness_ms
        for skey, (t, _, entities) in mine:
            article = skey.rsplit(SEP, 1)[0]
            self._index(skey, t)
            for key, mentions, etype, text, eid, name in entities:
                # windows already past the horizon were archived into ``history`` before the restart
                self._count(key, t, mentions, (t, article, etype, text, eid, name), track=False, horizon=horizon)
        for hkey, value in history_items:
            if value.get("p") != self.partition or not value.get("h"):
                continue
            spec = self._by_label.get(hkey.split(SEP, 1)[0])
            if spec is not None:
                self._note_history(hkey, spec.size_ms, value["h"][-1][0])
        self._next_change = None if self.watermark is None else self._next_boundary(self.watermark)

    def size(self) -> dict[str, int]:
        """Entries held: (article, partition) entries, (window, entity) counts, archived histories."""
        return {
            "seen": sum(len(v) for v in self._expiry.values()),
            "windows": sum(len(w) for by_start in self.windows.values() for w in by_start.values()),
            "history": len(self._history_last),
        }
