"""The story stage on Kafka: a Faust agent over ``enriched`` with its index in Faust tables.

Data flow::

    enriched --relay--> <prefix>stories-requests (1 partition) --stories--> <prefix>stories
                                                    |
                         tables (changelogs): stories-articles, stories-stories, stories-keys,
                                              stories-buckets, stories-meta

The agent runs :class:`StoryIndex` unchanged, with Faust tables as its stores, so a worker
computes exactly what ``news-streams process`` computes over the same order. State survives a
crash through the tables' changelog topics (memory store in tests, RocksDB through
``rocksdict`` with ``NEWS_STORY_STORE=rocksdb://``) and is bounded by event-time expiry.

The relay (:meth:`StoryStage.relay`) runs in the worker's one agent on ``enriched``
(:mod:`streams.service.fanout`), the story agent on the common stage loop of
:mod:`streams.service.agents`; both with the worker's delivery (at-least-once: an ``enriched``
record is acknowledged once its request is in Kafka, a request once its ``stories`` record is,
in offset order). Faust flushes the changelog writes before it commits offsets, so after a crash the
tables are never behind the committed input; a replayed request finds its article in the table
and gets the stored answer again (same story id): redelivery duplicates records, never changes
them.

Under ``exactly_once`` the tables are :class:`TransactionalTable`: their changelog writes do not
go through Faust's producer buffer (which sends them at some later moment, outside the stage
loop's transactions: a commit could then cover a request whose state writes land in the next
transaction, lost if that one is aborted). The agent collects them per request and the delivery
sends them with the ``stories`` record, and the request's offset, in the transaction of the
request's partition: a request's output and its state are committed together or not at all.

This stage (``NEWS_STORY_SHARDS=1``, the default) keeps the whole index in one partition, owned
by one worker at a time (another worker takes it over from the changelogs). With
``NEWS_STORY_SHARDS`` = N > 1 the worker runs :mod:`streams.stories.sharded_service` instead: the
index split over N partitions, the decisions in one (README "Stories").
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import faust
import orjson

from .. import SCHEMA_VERSION
from ..deadletter import dead_letter as dead_letter_record
from ..errors import Reason
from ..names import STORIES_REQUESTS, Topic
from ..service.agents import Fanout, Routed, StageDef, StageInput, stage_agent
from ..service.metrics import (STORIES_JOINED, STORIES_OPENED, STORY_NEAR_COPIES, STORY_SECONDS, STORY_STATE,
                               STORY_UNINDEXED)
from ..settings import Settings
from .index import StoryConfig, StoryIndex, summary
from .stage import assign_story

log = logging.getLogger("streams.stories")

_REASONS = ("empty_text", "no_published_at", "published_at_in_future", "published_at_too_old", "late")

TABLES = ("articles", "stories", "keys", "buckets", "meta")
RELAY, STAGE = "stories-relay", "stories"  # ``stage`` metric labels (of the relay's sends, of the agent)
RECENT = 50


@dataclass
class StoryStage:
    story_agent: Any
    requests: faust.TopicT
    output_topic: str
    index: StoryIndex
    tables: dict[str, Any]

    def relay(self, item: StageInput) -> list[Routed]:
        """Repartition ``enriched`` into the story stage's single request partition, bytes unchanged."""
        if not item.payload:
            return []
        return [Routed(self.requests.get_topic_name(), item.event.key or b"", orjson.Fragment(item.payload),
                       stage=RELAY)]


@dataclass(slots=True)
class StoriesRecord:
    """One ``stories`` record (schemas/v1/stories.schema.json); the stage loop keys it by ``id``."""

    id: str
    story: dict[str, Any]
    schema_version: str = SCHEMA_VERSION


class TransactionalTable(faust.Table):
    """A table whose changelog writes are handed to :attr:`pending` (as :class:`Routed` records,
    serialised as Faust would: raw keys, the table's value codec, ``None`` a tombstone) instead of
    Faust's producer buffer, for the delivery to send in the current request's transaction."""

    pending: list[Routed]

    def send_changelog(self, partition: int | None, key: Any, value: Any, key_serializer: Any = None,
                       value_serializer: Any = None) -> Any:
        topic = self.changelog_topic
        key_bytes, _ = topic.prepare_key(key, key_serializer or self.key_serializer)
        value_bytes, _ = topic.prepare_value(value, value_serializer or self.value_serializer)
        self.pending.append(Routed(topic.get_topic_name(), key_bytes,
                                   None if value_bytes is None else orjson.Fragment(value_bytes), partition=partition))
        # Faust's on_key_set/on_key_del read the partition from the future they get back
        return SimpleNamespace(message=SimpleNamespace(partition=partition))


def make_tables(app: faust.App, store: str, *, transactional: bool, names: tuple[str, ...] = TABLES,
            prefix: str = "stories-", partitions: int = 1) -> tuple[dict[str, Any], list[Routed]]:
    """The story tables (json keys and values; by default the five of the single-partition stage);
    under exactly_once :class:`TransactionalTable` with one shared list of pending changelog writes."""
    options = {"driver": "rocksdict"} if store.startswith("rocksdb") else None
    pending: list[Routed] = []
    tables = {}
    for name in names:
        kwargs = dict(name=f"{prefix}{name}", default=None, partitions=partitions, key_type=str, store=store, options=options)
        if transactional:
            table = app.tables.add(TransactionalTable(app, beacon=app.tables.beacon, help=None, **kwargs))
            table.pending = pending
        else:
            table = app.Table(**kwargs)
        tables[name] = table
    return tables, pending


def add_story_stage(app: faust.App, settings: Settings, delivery: Any, *,
                    config: StoryConfig | None = None) -> StoryStage:
    """Register the story agent (the common stage loop and delivery of
    :mod:`streams.service.agents`), its tables and the ``/stories`` views on ``app``; the relay
    from ``enriched`` (:meth:`StoryStage.relay`) is run by the worker's fan-out agent."""
    prefix = settings.topic_prefix
    store = settings.story_store
    # created before Faust starts (ensure_topics); internal=True: Faust would create it otherwise
    requests = app.topic(f"{prefix}{STORIES_REQUESTS}", key_type=bytes, value_type=bytes, key_serializer="raw",
                         value_serializer="raw", partitions=1, internal=True)
    output_topic = settings.topic(Topic.STORIES)
    dead_letter = settings.topic(Topic.DEAD_LETTER)
    tables, pending = make_tables(app, store, transactional=settings.exactly_once)
    index = StoryIndex(config or StoryConfig(), articles=tables["articles"], stories=tables["stories"],
                       keys=tables["keys"], meta=tables["meta"], buckets=tables["buckets"])
    seen = dict(index.counters)

    def assign(item: StageInput) -> Any:
        try:
            article = orjson.loads(item.payload or b"")
            if not isinstance(article, dict) or not article.get("id"):
                raise ValueError("not an enriched record with an id")
        except ValueError as exc:
            return dead_letter_record(item.payload, stage=STAGE, reason=Reason.SCHEMA_VIOLATION,
                                      message=f"stories request: {exc}", source=item.source)
        pending.clear()
        started = time.perf_counter()
        result = assign_story(index, article)
        STORY_SECONDS.observe(time.perf_counter() - started)
        count_outcome(index, seen, result.reason)
        record = StoriesRecord(result.article_id or str(article["id"]), result.to_dict())
        if not settings.exactly_once:
            return record  # Faust sends the changelog writes and flushes them before each commit
        writes = Fanout([Routed(output_topic, record.id.encode("utf-8"), record), *pending])
        pending.clear()
        return writes

    story_def = StageDef(STAGE, source=requests.get_topic_name(), target=Topic.STORIES, build=lambda a, s: assign)
    story_agent = app.agent(requests, name=STAGE)(
        stage_agent(story_def, assign, delivery, target=output_topic, dead_letter=dead_letter))

    add_views(app, tables["stories"])
    add_state_gauges(app, tables)
    return StoryStage(story_agent, requests, output_topic, index, tables)


def add_views(app: faust.App, stories: Any) -> None:
    """``/stories/{id}/`` and ``/stories/`` over the ``stories`` table (one partition), routed to
    the worker that owns it."""

    @app.page("/stories/{story_id}/")
    @app.table_route(table=stories, match_info="story_id")
    async def story_view(web: Any, request: Any, story_id: str) -> Any:
        story = stories.get(story_id)
        if story is None:
            return web.json({"error": "no open story with this id (never seen, or closed and expired)",
                             "id": story_id}, status=404)
        return web.json(summary(story))

    @app.page("/stories/")
    @app.table_route(table=stories, exact_key="recent")
    async def recent_view(web: Any, request: Any) -> Any:
        open_stories = sorted(stories.values(), key=lambda s: (-s["last_seen"], s["id"]))
        multi = [summary(s) for s in open_stories if s["count"] > 1][:RECENT]
        return web.json({"stories": multi, "open": len(open_stories)})


def add_state_gauges(app: faust.App, tables: dict[str, Any]) -> None:
    """``news_stories_state_entries{table}`` every 10 s."""

    @app.timer(interval=10.0)
    async def state_size() -> None:
        for name, table in tables.items():
            STORY_STATE.labels(name).set(len(table))


def count_outcome(index: StoryIndex, seen: dict[str, int], reason: str | None) -> None:
    now = index.counters
    STORIES_OPENED.inc(now["stories_opened"] - seen["stories_opened"])
    STORIES_JOINED.inc(now["joined"] - seen["joined"])
    STORY_NEAR_COPIES.inc(now["near_copies"] - seen["near_copies"])
    seen.update(now)
    if reason is not None:
        STORY_UNINDEXED.labels(reason if reason in _REASONS else "internal_error").inc()
