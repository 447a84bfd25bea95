"""The agents: one stage loop, ``payload -> record | dead letter -> deliver``, run by every stage.

A stage the service runs is a :class:`StageDef`: its name, the topic it consumes, the topic its
records go to, and ``build``, called once per app, which returns the stage's ``process``
function. :func:`stage_agent` turns a ``StageDef`` into a Faust agent (``app.py`` registers one
per entry of :data:`STAGES`, under the stage's name: ``app.agents["clean"]``). The loop does the
rest, the same for every stage: read raw bytes (``value_serializer="raw"``, so even a payload
Faust could not decode reaches the stage and becomes a dead letter), time the stage, count the
outcome, key the output by article id, and hand it to the :mod:`~streams.service.delivery`
(at-least-once or exactly-once), which acks the input only when that is safe.

``process(item: StageInput) -> record | DeadLetter | Fanout | None`` must not raise (the pure
stages in :mod:`streams.pipeline` turn bugs into ``internal_error`` dead letters); ``None`` means
"nothing to send for this input" (a stateful stage that only updated its table): the input is
still acknowledged in order. A :class:`Fanout` is several outputs for one input, each
:class:`Routed` to a topic (and partition) of its own: the input is acknowledged once Kafka has
every one of them (an empty one: like ``None``). One topic is consumed by one agent: Faust
counts a record's subscribers and waits at shutdown for each of them to acknowledge it, so two
agents on one topic can leave a record that one took and the other never will
(:mod:`streams.service.fanout` feeds several stateful stages from ``enriched`` through one agent).

Adding a stage, e.g. a stateful one that consumes ``enriched`` and writes its own topic::

    # streams/names.py: Topic.TRENDS = "trends"; Stage.TRENDS = "trends" (and the topic in
    # settings.STAGE_TOPICS so that `news-streams topics` creates it)
    from streams.service.agents import StageDef, StageInput, STAGES

    def build_trends(app, settings):
        counts = app.Table("trend-counts", default=int, partitions=settings.topic_partitions)

        def process(item: StageInput):
            try:
                article = orjson.loads(item.payload)
                ...  # update counts[...] (Faust routes the changelog by the current event)
                return TrendUpdate(...) if something_changed else None
            except Exception as exc:
                return dead_letter(item.payload, stage=Stage.TRENDS, reason=Reason.INTERNAL_ERROR,
                                   message=f"{type(exc).__name__}: {exc}", source=item.source)
        return process

    TRENDS = StageDef(Stage.TRENDS, source=Topic.ENRICHED, target=Topic.TRENDS, build=build_trends)
    STAGES = (CLEAN, ENTITIES, TRENDS)   # or create_app(..., stages=(*STAGES, TRENDS))

Metrics, keys, delivery, rebalances, dead-letter routing and health come with the loop.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Callable

import faust

from ..names import Stage, Topic
from ..pipeline import clean_stage, entities_stage
from ..records import DeadLetter, EnrichedArticle, SourcePosition
from ..settings import Settings
from ..timeutil import from_epoch_ms, to_epoch_seconds
from . import metrics as m
from .delivery import Delivery, Outgoing

log = logging.getLogger("streams.worker")


@dataclass(slots=True)
class StageInput:
    """One input record, as a stage sees it."""

    payload: bytes | None  # the record's value, as bytes on the wire
    source: SourcePosition  # topic, partition, offset and key (for dead letters and logs)
    timestamp: float | None  # the Kafka record timestamp, seconds since the epoch
    event: Any  # the Faust event (for tables or headers; most stages never need it)


#: ``process`` returns a record (any dataclass the orjson codec encodes), a dead letter, or None.
Process = Callable[[StageInput], Any]


@dataclass(frozen=True)
class StageDef:
    """A stage the service runs: see the module docstring."""

    name: str  # agent name, the ``stage`` metric label (a :class:`~streams.names.Stage`)
    source: str  # the topic consumed (a :class:`~streams.names.Topic`)
    target: str | None  # the topic its records go to (dead letters go to ``dead-letter``); None: a fan-out
    build: Callable[[faust.App, Settings], Process]  # called once per app: make tables here
    #: optional: called with each record before it is sent; may return a callback run once Kafka has it
    observe: Callable[[Any], Callable[[], None] | None] | None = None


@dataclass(slots=True)
class Routed:
    """One output of a :class:`Fanout`: ``value`` for ``topic`` (a full topic name)."""

    topic: str
    key: bytes
    value: Any  # a record for the codec, a DeadLetter, ``orjson.Fragment`` of encoded bytes, None: a tombstone
    partition: int | None = None  # None: the producer's partitioner chooses by key
    stage: str | None = None  # ``stage`` metric label and dead-letter stage (default: the agent's)


class Fanout(list):
    """Several :class:`Routed` outputs of one input: it is acknowledged once Kafka has all of them."""


# -- the two stages of the pipeline -----------------------------------------------------------


def build_clean(app: faust.App, settings: Settings) -> Process:
    max_bytes = settings.max_record_bytes
    article_bytes = m.ARTICLE_BYTES

    def process(item: StageInput) -> Any:
        article_bytes.observe(len(item.payload or b""))
        ts = item.timestamp
        return clean_stage(item.payload, item.source, max_bytes=max_bytes,
                           ingested_at=from_epoch_ms(ts * 1000 if ts else None))

    return process


def build_entities(app: faust.App, settings: Settings) -> Process:
    return lambda item: entities_stage(item.payload, item.source)


def observe_enriched(record: EnrichedArticle) -> Callable[[], None] | None:
    """Entities by type now; the end-to-end latency once Kafka has the record."""
    for entity in record.entities:
        m.bound(m.ENTITIES, entity.type).inc()
    started = to_epoch_seconds(record.ingested_at)
    if started is None:
        return None
    return lambda: m.END_TO_END.observe(max(0.0, time.time() - started))


CLEAN = StageDef(Stage.CLEAN, source=Topic.RAW, target=Topic.CLEANED, build=build_clean)
ENTITIES = StageDef(Stage.ENTITIES, source=Topic.CLEANED, target=Topic.ENRICHED, build=build_entities,
                    observe=observe_enriched)
#: The stages a worker runs, in pipeline order.
STAGES: tuple[StageDef, ...] = (CLEAN, ENTITIES)


# -- the loop ----------------------------------------------------------------------------------


def stage_agent(stage: StageDef, process: Process, delivery: Delivery, *, target: str | None,
                dead_letter: str) -> Callable[[faust.StreamT], Any]:
    """The agent function for ``stage``: ``target``/``dead_letter`` are full topic names."""
    name = str(stage.name)
    seconds, ok = m.bound(m.STAGE_SECONDS, name), m.bound(m.RECORDS, name, "ok")
    observe, deliver, deliver_all, skip = stage.observe, delivery.deliver, delivery.deliver_all, delivery.skip
    perf_counter = time.perf_counter

    async def agent(stream: faust.StreamT) -> None:
        async for event in stream.noack().events():
            msg = event.message
            payload = event.value
            source = SourcePosition(topic=msg.topic, partition=msg.partition, offset=msg.offset,
                                    key=_key_text(event.key))
            started = perf_counter()
            result = process(StageInput(payload, source, msg.timestamp, event))
            seconds.observe(perf_counter() - started)
            if result is None:
                skip(event)
                continue
            if isinstance(result, Fanout):
                if not result:
                    skip(event)
                    continue
                ok.inc()
                await deliver_all(_fanned_out(result, name, event, payload, source))
                continue
            on_sent = None
            if isinstance(result, DeadLetter):
                _count_dead_letter(name, result)
                topic = dead_letter
            else:
                ok.inc()
                topic = target
                if observe is not None:
                    on_sent = observe(result)
            await deliver(Outgoing(event, name, topic, _key(result, event.key), result, payload, source, on_sent))

    agent.__name__ = agent.__qualname__ = f"{name}_agent"
    return agent


def _fanned_out(result: Fanout, name: str, event: Any, payload: bytes | None,
                source: SourcePosition) -> list[Outgoing]:
    outs = []
    for r in result:
        stage = r.stage or name
        if isinstance(r.value, DeadLetter):
            _count_dead_letter(stage, r.value)
        outs.append(Outgoing(event, stage, r.topic, r.key, r.value, payload, source, partition=r.partition))
    return outs


def _count_dead_letter(stage: str, result: DeadLetter) -> None:
    m.RECORDS.labels(stage, "dead_letter").inc()
    m.DEAD_LETTERS.labels(result.stage, result.reason).inc()
    log.warning("dead-letter %s %s: %s (%s, article %s)", result.stage, result.reason, result.message,
                result.source.describe(), result.article_id)


def _key(result: Any, original: bytes | None) -> bytes:
    """Outputs are keyed by article id, so every stage keeps per-article order and partitioning."""
    article_id = getattr(result, "id", None) or getattr(result, "article_id", None)
    if article_id:
        return article_id.encode("utf-8")
    return original or b""


def _key_text(key: bytes | None) -> str | None:
    if key is None:
        return None
    return key.decode("utf-8", "replace")
