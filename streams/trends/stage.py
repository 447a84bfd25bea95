"""The trend stage on Kafka: ``enriched`` -> ``trends-mentions`` (keyed by entity) -> counts -> ``trends``.

Registered on an existing app by :func:`register`:

* the split (:meth:`TrendStage.split`, run by the worker's one agent on ``enriched``,
  :mod:`streams.service.fanout`) repartitions an article's entities by entity key through the
  ``trends-mentions`` topic, so every entity is counted by exactly one partition: an entity
  goes to partition ``murmur2(key) % partitions`` (Kafka's own choice for that key), and the
  entities of one article that land on the same partition travel in one record, keyed by the
  first of their keys (a few records per article instead of one per entity);
* the ``trends`` agent keeps a :class:`~streams.trends.state.TrendState` per partition of
  ``trends-mentions``, its durable part in two Faust tables with changelog topics
  (``trends-seen``, ``trends-history``; ``NEWS_TRENDS_STORE``: ``memory://`` or ``rocksdb://``
  through rocksdict), and sends rows to ``trends`` when windows close, and for windows late
  articles changed (coalesced: one row per (window, entity) and second at most).

Why not Faust's windowed tables (``Table.tumbling``): their expiry runs on the wall clock
(``WindowT.stale(timestamp, time.time())`` in ``Collection._del_old_keys``), so a replayed
archive would close every window at once; ``on_window_close`` never receives the aggregated
window data (a key mismatch noted in the source); windows stop expiring after a rebalance on
RocksDB (faust-streaming #385) and ``expires`` shorter than the window does not work (#118).
Event-time windows, watermark and expiry are therefore the pure core's, and the tables are
plain changelogged key-value state it reads and writes through the mapping interface.

Delivery is at-least-once: an ``enriched`` record is acknowledged once Kafka has its
``trends-mentions`` records (the worker's delivery, in offset order); a ``trends-mentions``
event after its iteration, and Faust flushes the producer (changelogs, rows) before it commits
offsets. A replayed (entity, article) is found in ``trends-seen`` and not counted again. After a restart or a
rebalance a partition's windows are rebuilt from the tables and the rows of its closed windows
are sent again (a crash may have lost rows whose counts the changelog already had): consumers
keep the newest row per (window, entity key). The stage is not run with ``exactly_once``.

``/trends?window=1h&limit=20``: the top rising entities of the current window, gathered from
every worker that owns partitions of the tables (each answers ``&local=1`` for its own).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import faust
import orjson
from aiokafka.partitioner import murmur2
from faust.types import TP

from ..codec import CODEC_NAME
from ..kafka.internals import send_raw
from ..names import Stage, Topic
from ..service import metrics as service_metrics
from ..service.agents import Routed, StageInput
from ..settings import Settings
from . import metrics as m
from .config import TrendConfig
from .events import Observation, extract
from .state import COUNTED, TrendState

log = logging.getLogger("streams.trends")

STAGE = Stage.TRENDS
#: Late-update rows are coalesced per (window, entity) and sent every second, or sooner when a
#: partition has this many pending.
UPDATES_INTERVAL = 1.0
UPDATES_BUFFER = 5_000


def _raw_topic(app: faust.App, name: str, partitions: int) -> faust.TopicT:
    return app.topic(name, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw",
                     partitions=partitions)


def partition_of(key: str, partitions: int) -> int:
    """The partition Kafka's default partitioner gives ``key`` (murmur2, as the Java client)."""
    return (murmur2(key.encode("utf-8")) & 0x7FFFFFFF) % partitions


def by_partition(observations: list[Observation], partitions: int) -> dict[int, list[Observation]]:
    groups: dict[int, list[Observation]] = {}
    for obs in observations:
        groups.setdefault(partition_of(obs.key, partitions), []).append(obs)
    return groups


def encode_group(group: list[Observation]) -> bytes:
    """One article's entities for one partition: ``[article, t, [[key, mentions, type, text, id, name], ...]]``."""
    return orjson.dumps([group[0].article, group[0].t, [[o.key, o.mentions, o.type, o.text, o.id, o.name]
                                                        for o in group]])


def decode_group(value: bytes) -> list[Observation]:
    article, t, entities = orjson.loads(value)
    return [Observation(key, article, int(t), int(mentions), etype, text, eid, name)
            for key, mentions, etype, text, eid, name in entities]


@dataclass
class TrendStage:
    """Handles for tests and the web view."""

    app: faust.App
    settings: Settings
    config: TrendConfig
    mentions: faust.TopicT
    trends: faust.TopicT
    seen: Any
    history: Any
    states: dict[int, TrendState] = field(default_factory=dict)
    count_agent: Any = None
    _entries: dict | None = None  # table entries by partition, read once per assignment

    # -- the split (enriched -> trends-mentions) -------------------------------------------------
    def split(self, item: StageInput) -> list[Routed]:
        """An enriched article's entities, one ``trends-mentions`` record per partition they go to."""
        config = self.config
        try:
            record = orjson.loads(item.payload or b"")
        except orjson.JSONDecodeError:
            m.DROPPED.labels("malformed_json").inc()
            m.ARTICLES.labels("none").inc()
            return []
        ex = extract(record, now_ms=int(time.time() * 1000), future_ms=config.future_ms,
                     max_entities=config.max_entities)
        m.ARTICLES.labels(ex.time_source or "none").inc()
        for reason, n in ex.skipped.items():
            m.DROPPED.labels(reason).inc(n)
        topic = self.mentions.get_topic_name()
        return [Routed(topic, group[0].key.encode("utf-8"), orjson.Fragment(encode_group(group)), partition, STAGE)
                for partition, group in by_partition(ex.observations, self.settings.topic_partitions).items()]

    # -- partitions ------------------------------------------------------------------------------
    def state_for(self, partition: int) -> tuple[TrendState, bool]:
        """The partition's state, rebuilt from the tables the first time after an assignment."""
        state = self.states.get(partition)
        if state is not None:
            return state, False
        started = time.perf_counter()
        if self._entries is None:  # one pass over the tables serves every partition of this assignment
            self._entries = self._read_entries(partition)
        # nobody else writes this partition's entries, so they are as they were read
        seen_items, history_items = self._entries.pop(partition, ([], []))
        if not self._entries:
            self._entries = None
        state = TrendState(self.config, self.seen, self.history, partition)
        state.rebuild(seen_items, history_items)
        self.states[partition] = state
        log.info("trends: partition %d rebuilt from the tables in %.2f s: %s, watermark %s", partition,
                 time.perf_counter() - started, state.size(), state.watermark)
        return state, True

    def _read_entries(self, partition: int) -> dict[int, tuple[list, list]]:
        """The tables' entries of the owned partitions that have no state yet, by partition."""
        topic = self.mentions.get_topic_name()
        try:
            wanted = {tp.partition for tp in self.app.assignor.assigned_actives() if tp.topic == topic}
        except Exception:  # no assignor state (tests): every partition
            wanted = None
        wanted = ({partition} | wanted if wanted is not None else None)
        entries: dict[int, tuple[list, list]] = {}
        for table, column in ((self.seen, 0), (self.history, 1)):
            for key, value in table.items():
                p = value[1] if column == 0 else value.get("p")
                if p not in self.states and (wanted is None or p in wanted):
                    entries.setdefault(p, ([], []))[column].append((key, value))
        return entries

    def forget(self, tps: set[TP]) -> None:
        self._entries = None
        topic = self.mentions.get_topic_name()
        for tp in tps:
            if tp.topic == topic and self.states.pop(tp.partition, None) is not None:
                try:
                    m.WATERMARK.remove(str(tp.partition))
                except KeyError:  # no watermark reported yet
                    pass

    def refresh_gauges(self) -> None:
        totals = {"seen": 0, "windows": 0, "history": 0}
        for partition, state in list(self.states.items()):
            for kind, n in state.size().items():
                totals[kind] += n
            if state.watermark is not None:
                m.WATERMARK.labels(str(partition)).set(state.watermark / 1000.0)
        for kind, n in totals.items():
            m.STATE.labels(kind).set(n)

    # -- the view --------------------------------------------------------------------------------
    def local_top(self, window: str, limit: int) -> list[dict]:
        rows: list[dict] = []
        for state in list(self.states.values()):
            rows.extend(state.current(window, limit))
        return rows

    async def gather_top(self, window: str, limit: int) -> dict:
        """Ask every worker that owns table partitions for its top rows; merge them."""
        me = str(self.app.conf.canonical_url).rstrip("/")
        try:
            hosts = [str(h).rstrip("/") for h in self.app.router.table_metadata(self.seen.name)]
        except Exception:  # before the first assignment
            hosts = []
        rows = self.local_top(window, limit)
        answered, failed = [me], []
        others = [h for h in hosts if h != me]
        if others:
            client = self.app.http_client
            query = {"window": window, "limit": str(limit), "local": "1"}

            async def ask(host: str) -> list[dict]:
                async with client.get(f"{host}/trends", params=query, timeout=5) as response:
                    response.raise_for_status()
                    return (await response.json())["rows"]

            results = await asyncio.gather(*(ask(h) for h in others), return_exceptions=True)
            for host, result in zip(others, results):
                if isinstance(result, BaseException):
                    failed.append(host)
                    log.warning("trends: could not ask %s for its top rows: %s: %s", host, type(result).__name__,
                                result)
                else:
                    answered.append(host)
                    rows.extend(result)
        return merge_top(rows, window, limit) | {"workers": answered, "unreachable": failed}


def merge_top(rows: list[dict], window: str, limit: int) -> dict:
    """The newest window any partition has reached, its rows by descending score."""
    latest = max((r["window_start"] for r in rows), default=None)
    top = sorted((r for r in rows if r["window_start"] == latest),
                 key=lambda r: (-r["score"], -r["articles"], r["entity"]["key"]))[:limit]
    return {"window": window, "window_start": latest, "window_end": top[0]["window_end"] if top else None,
            "rows": top}


def register(app: faust.App, settings: Settings, *, mentions: faust.TopicT | None = None,
             trends: faust.TopicT | None = None, config: TrendConfig | None = None) -> TrendStage:
    """Add the counting agent, tables, ``/trends`` page and timers to ``app``; topics (raw bytes)
    are made here unless given. The split runs in the worker's one ``enriched`` agent
    (:mod:`streams.service.fanout`), which calls :meth:`TrendStage.split`."""
    config = config or TrendConfig.from_strings(settings.trends_windows, settings.trends_lateness)
    partitions = settings.topic_partitions
    mentions = mentions or _raw_topic(app, settings.topic(Topic.TRENDS_MENTIONS), partitions)
    trends = trends or _raw_topic(app, settings.topic(Topic.TRENDS), partitions)
    store_options = {"driver": "rocksdict"} if settings.trends_store.startswith("rocksdb") else None

    def table(name: str, help_: str) -> Any:
        schema = faust.Schema(key_type=str, key_serializer=CODEC_NAME, value_serializer=CODEC_NAME)
        return app.Table(name, default=None, partitions=partitions, schema=schema, store=settings.trends_store,
                         options=store_options, help=help_)

    seen = table("trends-seen", "(entity, article) pairs counted, with event time and mentions")
    history = table("trends-history", "final counts of expired windows, for baselines")
    stage = TrendStage(app, settings, config, mentions, trends, seen, history)
    mentions_name, trends_name = mentions.get_topic_name(), trends.get_topic_name()
    labels = [spec.label for spec in config.windows]

    def sent(fut: asyncio.Future) -> None:
        exc = fut.exception() if not fut.cancelled() else asyncio.CancelledError()
        if exc is not None:
            service_metrics.SEND_ERRORS.labels(STAGE).inc()
            log.error("trends: a send failed: %s: %s", type(exc).__name__, exc)

    async def send(topic: str, key: bytes, value: bytes, partition: int | None = None) -> None:
        fut = await send_raw(app.producer, topic, key, value, partition=partition)
        fut.add_done_callback(sent)

    async def emit(rows: list[dict], kind: str) -> None:
        for row in rows:
            await send(trends_name, row["entity"]["key"].encode("utf-8"), orjson.dumps(row))
        if rows:
            m.ROWS.labels(kind).inc(len(rows))

    async def flush_updates(state: TrendState) -> None:
        await emit(state.take_updates(), "update")

    @app.agent(mentions, name="trends")
    async def count_agent(stream: faust.StreamT) -> None:
        seconds = service_metrics.STAGE_SECONDS.labels(STAGE)
        counted, outcomes = m.OBSERVATIONS.labels(COUNTED), {}
        async for event in stream.events():
            started = time.perf_counter()
            partition = event.message.partition
            state, fresh = stage.state_for(partition)
            if fresh:
                await emit(state.closed_rows(), "restore")
            try:
                group = decode_group(event.value)
                article, t = group[0].article, group[0].t
            except Exception as exc:  # not ours: another producer wrote to the topic
                m.DROPPED.labels("malformed_json").inc()
                log.warning("trends: unreadable record at %s[%d]@%d: %s: %s", event.message.topic, partition,
                            event.message.offset, type(exc).__name__, exc)
                continue
            outcome, rows = state.observe_article(article, t, group)
            if outcome == COUNTED:
                counted.inc(len(group))
            else:
                child = outcomes.get(outcome) or outcomes.setdefault(outcome, m.OBSERVATIONS.labels(outcome))
                child.inc(len(group))
            await emit(rows, "close")
            if state.pending_updates >= UPDATES_BUFFER:
                await flush_updates(state)
            seconds.observe(time.perf_counter() - started)

    @app.timer(interval=UPDATES_INTERVAL)
    async def trends_updates() -> None:
        """Late updates go out about once a second (a crash before that: restored rows cover them)."""
        for state in list(stage.states.values()):
            await flush_updates(state)

    @app.on_partitions_revoked.connect
    async def _revoked(sender: Any, revoked: set[TP], **kwargs: Any) -> None:
        stage.forget(revoked)

    @app.on_partitions_assigned.connect
    async def _assigned(sender: Any, assigned: set[TP], **kwargs: Any) -> None:
        mine = {tp.partition for tp in assigned if tp.topic == mentions_name}
        stage.forget({TP(mentions_name, p) for p in list(stage.states) if p not in mine})

    @app.page("/trends")
    async def trends_view(web: Any, request: Any) -> Any:
        window = request.query.get("window", labels[0])
        try:
            limit = max(1, min(1_000, int(request.query.get("limit", "20"))))
        except ValueError:
            return web.json({"error": "limit must be an integer"}, status=400)
        if window not in labels:
            return web.json({"error": f"unknown window {window!r}; counted windows: {', '.join(labels)}"},
                            status=400)
        if request.query.get("local"):
            return web.json({"rows": stage.local_top(window, limit)})
        return web.json(await stage.gather_top(window, limit))

    @app.timer(interval=5.0)
    async def trends_gauges() -> None:
        stage.refresh_gauges()

    stage.count_agent = count_agent
    return stage
