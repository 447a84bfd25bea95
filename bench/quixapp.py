"""The peer: the two stages as a Quix Streams application (librdkafka through confluent-kafka).

    pip install -e '.[bench]'   # quixstreams is a benchmark extra, never a runtime dependency
    .venv/bin/python -m bench.quixapp --bootstrap HOST:PORT --prefix P. --group G --state-dir DIR

Same topics and stage functions as the worker and ``bench.stageloop``: one ``StreamingDataFrame``
per input topic (``raw`` -> ``clean_stage``, ``cleaned`` -> ``entities_stage``), each result
encoded once with orjson and routed by ``to_topic`` to ``cleaned``/``enriched`` or
``dead-letter``, keyed by article id. Producer acks=all and linger 5 ms, commit every second:
the worker's settings.

Delivery guarantee, and where it differs from the worker's (Quix's own at-least-once):
* Quix commits at *checkpoints* (every ``commit_interval``): it flushes the producer (waits for
  every delivery report), fails the checkpoint if a delivery failed, then commits the offsets of
  everything processed since the last one. So, as in the worker, no offset is committed before
  its output is acknowledged; but acknowledgement is per checkpoint, not per record in offset
  order, and processing pauses while the flush waits (the worker keeps consuming while sends
  are in flight).
* Quix enables the idempotent producer (no duplicates from producer retries); the worker's
  aiokafka producer is not idempotent in at-least-once mode.
* A failed delivery stops the application (the worker dead-letters the record instead).
* Quix gives an output the *input's* timestamp; the worker's outputs carry the time they are
  sent. Throughput is measured on output timestamps, so this app stamps its outputs with the
  time the stage finished (``set_timestamp``), as the worker does. (``ingested_at``, from the raw
  record's timestamp, is unchanged, so latency compares too.)
Prints ``READY`` once it owns partitions of both input topics; SIGTERM/SIGINT stop it cleanly
(Quix installs the handlers: it finishes the checkpoint and leaves the group).
"""

from __future__ import annotations

import argparse
import time
from typing import NamedTuple

from quixstreams import Application, message_context
from quixstreams.models.serializers import BytesDeserializer, BytesSerializer, SerializationContext, Serializer

from streams.kafka.topics import DEAD_LETTER_MAX_MESSAGE_BYTES
from streams.pipeline import clean_stage, entities_stage, to_json, warm_up
from streams.records import DeadLetter, SourcePosition
from streams.timeutil import from_epoch_ms

from bench.stageloop import COMMIT_INTERVAL, article_key


class Output(NamedTuple):
    """A stage's result, encoded once: where it goes, its key and its bytes."""

    target: str
    key: bytes
    value: bytes


class OutputValue(Serializer):
    """The record's bytes, already encoded by the stage step (no second pass)."""

    def __call__(self, value: Output, ctx: SerializationContext) -> bytes:
        return value.value


class BenchApplication(Application):
    """Says READY once the consumer owns partitions of both input topics (Quix has no public
    assignment callback; ``_on_assign`` is its rebalance hook)."""

    expected_topics: set[str] = set()
    _assigned: set[str] = set()
    _said_ready = False

    def _on_assign(self, consumer, topic_partitions):
        super()._on_assign(consumer, topic_partitions)
        self._assigned = self._assigned | {tp.topic for tp in topic_partitions}
        if not self._said_ready and self.expected_topics and self.expected_topics <= self._assigned:
            self._said_ready = True
            print("READY", flush=True)


def _output(result: object, key: bytes | None, ok: str) -> Output:
    target = "dead-letter" if isinstance(result, DeadLetter) else ok
    return Output(target, article_key(result, key), to_json(result))


def _source(key: bytes | None) -> SourcePosition:
    ctx = message_context()
    return SourcePosition(topic=ctx.topic, partition=ctx.partition, offset=ctx.offset,
                          key=key.decode("utf-8", "replace") if key is not None else None)


def build(args: argparse.Namespace) -> Application:
    app = BenchApplication(
        broker_address=args.bootstrap, consumer_group=args.group, auto_offset_reset="earliest",
        processing_guarantee="at-least-once", commit_interval=COMMIT_INTERVAL, auto_create_topics=False,
        use_changelog_topics=False, state_dir=args.state_dir, loglevel="WARNING",
        producer_extra_config={"acks": "all", "linger.ms": 5,
                               "message.max.bytes": DEAD_LETTER_MAX_MESSAGE_BYTES + 1024 * 1024},
        consumer_extra_config={"max.partition.fetch.bytes": DEAD_LETTER_MAX_MESSAGE_BYTES},
    )
    serdes = {"key_deserializer": BytesDeserializer(), "value_deserializer": BytesDeserializer(),
              "key_serializer": BytesSerializer(), "value_serializer": OutputValue()}
    topics = {name: app.topic(f"{args.prefix}{name}", **serdes) for name in ("raw", "cleaned", "enriched", "dead-letter")}
    app.expected_topics = {topics["raw"].name, topics["cleaned"].name}

    def clean(value: bytes, key: bytes | None, timestamp: int, headers) -> Output:
        result = clean_stage(value, _source(key), max_bytes=args.max_bytes, ingested_at=from_epoch_ms(timestamp))
        return _output(result, key, "cleaned")

    def entities(value: bytes, key: bytes | None, timestamp: int, headers) -> Output:
        return _output(entities_stage(value, _source(key)), key, "enriched")

    def route(value: Output, key, timestamp, headers):
        return topics[value.target]

    def now_ms(value, key, timestamp, headers) -> int:
        return int(time.time() * 1000)

    for stage, source in ((clean, "raw"), (entities, "cleaned")):
        sdf = app.dataframe(topics[source]).apply(stage, metadata=True).set_timestamp(now_ms)
        sdf.to_topic(route, key=lambda out: out.key)
    return app


def main() -> None:
    from streams.settings import Settings

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--prefix", required=True)
    ap.add_argument("--group", required=True)
    ap.add_argument("--state-dir", required=True, help="Quix's state directory (unused: no stateful step)")
    ap.add_argument("--max-bytes", type=int, default=Settings.max_record_bytes)
    args = ap.parse_args()
    warm_up()
    build(args).run()


if __name__ == "__main__":
    main()
