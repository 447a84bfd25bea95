"""The sharded story stage on Kafka (``NEWS_STORY_SHARDS`` = N > 1): the three roles of
:mod:`streams.stories.shards` as a fan-out branch and two agents, their state in Faust tables.

Data flow::

    enriched --scatter (enriched-fanout)--> <prefix>stories-keys (N partitions) --stories-shard-->
             \\--head-----------------------> <prefix>stories-answers (1 partition) <--answers--/
                                                   --stories (decider)--> <prefix>stories

* scatter: in the worker's one agent on ``enriched`` (:mod:`streams.service.fanout`), where the
  article is: the checks, the features and the keys once; a refused article's ``stories`` record
  goes out from here; otherwise one request to partition ``crc32(key) % N`` of ``stories-keys``
  per distinct shard of its keys, and a head to ``stories-answers``.
* ``stories-shard`` agent on ``stories-keys``: each partition is a :class:`KeyShard` over four
  tables with N partitions (``stories-shard-articles``, ``-keys``, ``-buckets``, ``-meta``;
  co-partitioned with the topic, so a shard's state moves with its partition and the workers
  share the shards); keys are prefixed with the shard (``"3|..."``) because a worker's table
  holds every partition it owns and one article can be in several shards.
* ``stories`` agent (the decider) on ``stories-answers``: :class:`Decider` over five
  one-partition tables (``stories-decider-articles``, ``-stories``, ``-buckets``, ``-meta``,
  ``-pending``); it writes the ``stories`` records, and serves ``/stories/`` from its table.

Delivery is the worker's (at-least-once; each input acked once its outputs are in Kafka). A
replayed request gets the answer the shard gave (kept with the article), a replayed head or
answer gets the decisions it led to again: redelivery duplicates records, never changes them.
Not under ``exactly_once`` (the settings refuse NEWS_STORY_SHARDS > 1 with it).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from typing import Any

import faust
import orjson

from ..deadletter import dead_letter as dead_letter_record
from ..errors import Reason
from ..names import STORIES_ANSWERS, STORIES_KEYS, Topic
from ..service.agents import Fanout, Routed, StageDef, StageInput, stage_agent
from ..service.metrics import STORY_SECONDS, STORY_UNINDEXED
from ..settings import Settings
from .index import StoryConfig, StoryIndex
from .service import RELAY, STAGE, StoriesRecord, add_state_gauges, add_views, count_outcome, make_tables
from .shards import Decider, KeyShard, Scatter

log = logging.getLogger("streams.stories")

SHARD = "stories-shard"  # the key shards' agent name and ``stage`` label
SHARD_TABLES = ("articles", "keys", "buckets", "meta")
DECIDER_TABLES = ("articles", "stories", "buckets", "meta", "pending")


class Prefixed(MutableMapping):
    """One shard's view of a table that a worker shares between the shards it owns."""

    def __init__(self, table: Any, prefix: str) -> None:
        self.table, self.prefix = table, prefix

    def __getitem__(self, key: str) -> Any:
        return self.table[self.prefix + key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.table.get(self.prefix + key, default)

    def __setitem__(self, key: str, value: Any) -> None:
        self.table[self.prefix + key] = value

    def __delitem__(self, key: str) -> None:
        del self.table[self.prefix + key]

    def __iter__(self) -> Iterator[str]:
        n = len(self.prefix)
        return (k[n:] for k in list(self.table.keys()) if k.startswith(self.prefix))

    def __len__(self) -> int:
        return sum(1 for _ in self)


@dataclass
class ShardedStoryStage:
    """The handles the worker and tests need (the fan-out branch is :meth:`relay`)."""

    shard_agent: Any
    story_agent: Any  # the decider
    keys_topic: str
    answers_topic: str
    output_topic: str
    dead_letter: str
    scatter: Scatter
    decider: Decider
    tables: dict[str, Any]  # the decider's
    shard_tables: dict[str, Any]

    def relay(self, item: StageInput) -> list[Routed]:
        """Scatter one ``enriched`` record: its shard requests and head, or its ``stories`` record."""
        if not item.payload:
            return []
        try:
            article = orjson.loads(item.payload)
            if not isinstance(article, dict) or not article.get("id"):
                raise ValueError("not an enriched record with an id")
        except ValueError as exc:
            record = dead_letter_record(item.payload, stage=RELAY, reason=Reason.SCHEMA_VIOLATION,
                                        message=f"stories scatter: {exc}", source=item.source)
            return [Routed(self.dead_letter, item.event.key or b"", record, stage=RELAY)]
        s = self.scatter.split(article)
        key = s.article_id.encode("utf-8")
        if s.own is not None:
            STORY_UNINDEXED.labels(s.own.reason).inc()
            return [Routed(self.output_topic, key, StoriesRecord(s.article_id, s.own.to_dict()), stage=RELAY)]
        return [Routed(self.answers_topic, key, orjson.Fragment(orjson.dumps(s.head)), partition=0, stage=RELAY),
                *(Routed(self.keys_topic, key, orjson.Fragment(orjson.dumps(req)), partition=p, stage=RELAY)
                  for p, req in s.requests)]


def _message(item: StageInput, stage: str) -> Any:
    """The JSON object of a request/answer, or its dead letter."""
    try:
        msg = orjson.loads(item.payload or b"")
        if not isinstance(msg, dict) or not msg.get("id"):
            raise ValueError("not a story-stage message with an id")
        return msg
    except ValueError as exc:
        return dead_letter_record(item.payload, stage=stage, reason=Reason.SCHEMA_VIOLATION,
                                  message=f"{stage}: {exc}", source=item.source)


def add_sharded_story_stage(app: faust.App, settings: Settings, delivery: Any, *,
                            config: StoryConfig | None = None) -> ShardedStoryStage:
    """Register the key-shard and decider agents, their tables and the ``/stories`` views."""
    config = config or StoryConfig()
    n = settings.story_shards
    prefix = settings.topic_prefix
    topics = {}
    for name, partitions in ((STORIES_KEYS, n), (STORIES_ANSWERS, 1)):
        # created before Faust starts (ensure_topics); internal=True: Faust would create it otherwise
        topics[name] = app.topic(f"{prefix}{name}", key_type=bytes, value_type=bytes, key_serializer="raw",
                                 value_serializer="raw", partitions=partitions, internal=True)
    keys_topic, answers_topic = (topics[t].get_topic_name() for t in (STORIES_KEYS, STORIES_ANSWERS))
    output_topic = settings.topic(Topic.STORIES)
    dead_letter = settings.topic(Topic.DEAD_LETTER)
    shard_tables, _ = make_tables(app, settings.story_store, transactional=False, names=SHARD_TABLES,
                              prefix="stories-shard-", partitions=n)
    tables, _ = make_tables(app, settings.story_store, transactional=False, names=DECIDER_TABLES,
                        prefix="stories-decider-")
    shards: dict[int, KeyShard] = {}

    def key_shard(p: int) -> KeyShard:
        shard = shards.get(p)
        if shard is None:
            views = {name: Prefixed(shard_tables[name], f"{p}|") for name in SHARD_TABLES}
            shard = shards[p] = KeyShard(p, StoryIndex(config, **views))
        return shard

    def answer(item: StageInput) -> Any:
        req = _message(item, SHARD)
        if not isinstance(req, dict):
            return req
        return key_shard(item.source.partition).answer(req)  # keyed by article id, to stories-answers

    decider = Decider(StoryIndex(config, articles=tables["articles"], stories=tables["stories"],
                                 meta=tables["meta"], buckets=tables["buckets"]), pending=tables["pending"])
    seen = dict(decider.index.counters)

    def decide(item: StageInput) -> Any:
        msg = _message(item, STAGE)
        if not isinstance(msg, dict):
            return msg
        started = time.perf_counter()
        outs = decider.receive(msg)
        STORY_SECONDS.observe(time.perf_counter() - started)
        for out in outs:
            count_outcome(decider.index, seen, out.reason)
        return Fanout(Routed(output_topic, out.article_id.encode("utf-8"), StoriesRecord(out.article_id, out.to_dict()))
                      for out in outs)

    shard_def = StageDef(SHARD, source=keys_topic, target=STORIES_ANSWERS, build=lambda a, s: answer)
    shard_agent = app.agent(topics[STORIES_KEYS], name=SHARD)(
        stage_agent(shard_def, answer, delivery, target=answers_topic, dead_letter=dead_letter))
    decider_def = StageDef(STAGE, source=answers_topic, target=Topic.STORIES, build=lambda a, s: decide)
    story_agent = app.agent(topics[STORIES_ANSWERS], name=STAGE)(
        stage_agent(decider_def, decide, delivery, target=output_topic, dead_letter=dead_letter))
    add_views(app, tables["stories"])
    add_state_gauges(app, {**{f"shard-{k}": v for k, v in shard_tables.items()}, **tables})
    log.info("story stage: %d key shards on %s, decided from %s", n, keys_topic, answers_topic)
    return ShardedStoryStage(shard_agent, story_agent, keys_topic, answers_topic, output_topic, dead_letter,
                             Scatter(n, config), decider, tables, shard_tables)
