"""The floor for Python on aiokafka: the two stages in a bare consume -> process -> produce loop.

    .venv/bin/python -m bench.stageloop --bootstrap HOST:PORT --prefix P. --group G

What the news-streams worker computes, without Faust: one process, one consumer subscribed to
``<prefix>raw`` and ``<prefix>cleaned`` (one worker runs both agents), one producer with the
worker's settings (acks=all, linger 5 ms). Per record the stage function of
:mod:`streams.pipeline` (``clean_stage`` on raw, ``entities_stage`` on cleaned), the result
encoded once (orjson) and sent, keyed by article id, to ``cleaned``/``enriched`` or
``dead-letter``.

Delivery guarantee: the worker's at-least-once. An input offset is committed only once the
output of that record *and of every earlier record of its partition* is acknowledged by Kafka
(in offset order, so a commit never passes an unacknowledged send); commits every second, as
the worker's ``broker_commit_interval``. A failed send stops the loop without committing past it
(the worker dead-letters such a record instead; a benchmark has none). Prints ``READY`` once it
owns partitions of both topics, and runs until SIGTERM/SIGINT, then commits what is
acknowledged and leaves the group.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import time
from collections import deque

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, TopicPartition

from streams.kafka.topics import DEAD_LETTER_MAX_MESSAGE_BYTES
from streams.pipeline import clean_stage, entities_stage, to_json, warm_up
from streams.records import DeadLetter, SourcePosition
from streams.timeutil import from_epoch_ms

COMMIT_INTERVAL = 1.0  # seconds, as the worker (broker_commit_interval)


class InOrderAcks:
    """Per partition, the offsets in flight in consumption order with their send futures."""

    def __init__(self) -> None:
        self.pending: dict[TopicPartition, deque[tuple[int, asyncio.Future]]] = {}

    def track(self, tp: TopicPartition, offset: int, sent: asyncio.Future) -> None:
        self.pending.setdefault(tp, deque()).append((offset, sent))

    def committable(self, tps=None) -> dict[TopicPartition, int]:
        """Next offset to commit per partition: past the longest acknowledged prefix."""
        out = {}
        for tp in tps if tps is not None else list(self.pending):
            queue, last = self.pending.get(tp) or deque(), None
            while queue and queue[0][1].done():
                offset, sent = queue[0]
                if sent.cancelled() or sent.exception() is not None:
                    raise RuntimeError(f"send for {tp.topic}[{tp.partition}]@{offset} failed: {sent.exception()!r}")
                queue.popleft()
                last = offset
            if last is not None:
                out[tp] = last + 1
        return out

    def forget(self, tps) -> None:
        for tp in tps:
            self.pending.pop(tp, None)


def article_key(result: object, original: bytes | None) -> bytes:
    """Output key: the article id (as the worker keys its outputs), else the input key."""
    article_id = getattr(result, "id", None) or getattr(result, "article_id", None)
    return article_id.encode("utf-8") if article_id else (original or b"")


class StageLoop:
    def __init__(self, bootstrap: str, prefix: str, group: str, max_bytes: int) -> None:
        self.topics = {name: f"{prefix}{name}" for name in ("raw", "cleaned", "enriched", "dead-letter")}
        self.max_bytes = max_bytes
        self.acks = InOrderAcks()
        self.consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap.split(","), group_id=group, enable_auto_commit=False,
            auto_offset_reset="earliest", max_partition_fetch_bytes=DEAD_LETTER_MAX_MESSAGE_BYTES,
        )
        self.producer = AIOKafkaProducer(bootstrap_servers=bootstrap.split(","), acks="all", linger_ms=5,
                                         max_request_size=DEAD_LETTER_MAX_MESSAGE_BYTES + 1024 * 1024)
        self.stopping = asyncio.Event()

    async def commit(self, tps=None) -> None:
        offsets = self.acks.committable(tps)
        if offsets:
            await self.consumer.commit(offsets)

    async def process(self, msg) -> None:
        key_text = msg.key.decode("utf-8", "replace") if msg.key is not None else None
        source = SourcePosition(topic=msg.topic, partition=msg.partition, offset=msg.offset, key=key_text)
        if msg.topic == self.topics["raw"]:
            result = clean_stage(msg.value, source, max_bytes=self.max_bytes, ingested_at=from_epoch_ms(msg.timestamp))
            target = "cleaned"
        else:
            result = entities_stage(msg.value, source)
            target = "enriched"
        if isinstance(result, DeadLetter):
            target = "dead-letter"
        sent = await self.producer.send(self.topics[target], key=article_key(result, msg.key), value=to_json(result))
        self.acks.track(TopicPartition(msg.topic, msg.partition), msg.offset, sent)

    async def run(self) -> None:
        loop = self

        class Rebalance(ConsumerRebalanceListener):
            async def on_partitions_revoked(self, revoked):
                await loop.producer.flush()
                await loop.commit([tp for tp in revoked if tp in loop.acks.pending])
                loop.acks.forget(revoked)

            async def on_partitions_assigned(self, assigned):
                pass

        warm_up()  # the models, before joining the group (as the worker)
        await self.producer.start()
        self.consumer.subscribe([self.topics["raw"], self.topics["cleaned"]], listener=Rebalance())
        await self.consumer.start()
        try:
            ready = False
            next_commit = time.monotonic() + COMMIT_INTERVAL
            while not self.stopping.is_set():
                batch = await self.consumer.getmany(timeout_ms=200, max_records=500)
                for msgs in batch.values():
                    for msg in msgs:
                        await self.process(msg)
                if not ready and {tp.topic for tp in self.consumer.assignment()} == {self.topics["raw"],
                                                                                       self.topics["cleaned"]}:
                    ready = True
                    print("READY", flush=True)
                if time.monotonic() >= next_commit:
                    await self.commit()
                    next_commit = time.monotonic() + COMMIT_INTERVAL
            await self.producer.flush()
            await self.commit()
        finally:
            await self.consumer.stop()
            await self.producer.stop()


async def main_async(args: argparse.Namespace) -> None:
    loop = StageLoop(args.bootstrap, args.prefix, args.group, args.max_bytes)
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, loop.stopping.set)
    asyncio.get_running_loop().call_later(args.timeout, loop.stopping.set)  # never outlive a killed benchmark
    await loop.run()


def main() -> None:
    from streams.settings import Settings

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bootstrap", required=True)
    ap.add_argument("--prefix", required=True, help="topic prefix: <prefix>raw, <prefix>cleaned, ...")
    ap.add_argument("--group", required=True)
    ap.add_argument("--max-bytes", type=int, default=Settings.max_record_bytes)
    ap.add_argument("--timeout", type=float, default=1800.0, help="stop after this many seconds")
    asyncio.run(main_async(ap.parse_args()))


if __name__ == "__main__":
    main()
