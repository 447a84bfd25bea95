"""Plain aiokafka clients: ``produce`` (acks=all, idempotent) and the one topic reader.

Used by ``news-streams produce``/``tail``, the dev tooling (:mod:`streams.devkit`), ``bench/`` and the
tests; the worker itself talks to Kafka through Faust (:mod:`streams.service`)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import AsyncIterator, Iterable

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from ..settings import Settings
from .client import client_options
from .internals import refresh_metadata
from .topics import DEAD_LETTER_MAX_MESSAGE_BYTES


@dataclass
class ProduceReport:
    sent: int = 0
    failed: list[tuple[bytes | None, str]] = field(default_factory=list)


async def produce(settings: Settings, topic: str, records: Iterable[tuple[bytes | None, bytes]]) -> ProduceReport:
    """Send ``(key, value)`` pairs with acks=all and idempotence; wait until all are acknowledged."""
    producer = AIOKafkaProducer(
        **client_options(settings), acks="all", enable_idempotence=True, linger_ms=5,
        max_request_size=DEAD_LETTER_MAX_MESSAGE_BYTES, request_timeout_ms=60000,
    )
    await producer.start()
    report = ProduceReport()
    pending: list[tuple[bytes | None, asyncio.Future]] = []
    try:
        for key, value in records:
            pending.append((key, await producer.send(topic, value=value, key=key)))
            if len(pending) >= 2000:
                await _settle(pending, report)
        await _settle(pending, report)
    finally:
        await producer.stop()
    return report


async def _settle(pending: list, report: ProduceReport) -> None:
    for key, fut in pending:
        try:
            await fut
            report.sent += 1
        except Exception as exc:  # reported per record by the caller
            report.failed.append((key, f"{type(exc).__name__}: {exc}"))
    pending.clear()


@dataclass
class Received:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    timestamp_ms: int


class TopicReader:
    """Reads every partition of some topics without a consumer group (the one topic reader:
    ``news-streams tail``, the ledger of ``demo`` and the e2e test, ``bench/`` and the fault tests).

    ``async with TopicReader(settings, topics) as reader: batch = await reader.batch()``.
    Partitions come from the cluster's metadata (or ``partitions``: 0..n-1 of each topic);
    ``from_end`` starts at the current end (positions are resolved in :meth:`start`, so records
    produced afterwards are all seen).
    """

    def __init__(self, settings: Settings, topics: list[str], *, from_end: bool = False,
                 isolation_level: str = "read_uncommitted", partitions: int | None = None,
                 metadata_timeout: float = 0.0, **options: object) -> None:
        self.settings, self.topics, self.from_end = settings, list(topics), from_end
        self.known_partitions, self.metadata_timeout = partitions, metadata_timeout
        self.consumer = AIOKafkaConsumer(
            **client_options(settings), enable_auto_commit=False, group_id=None,
            isolation_level=isolation_level, fetch_max_bytes=64 * 1024 * 1024,
            max_partition_fetch_bytes=DEAD_LETTER_MAX_MESSAGE_BYTES, **options,
        )
        self.partitions: list[TopicPartition] = []

    async def start(self) -> "TopicReader":
        consumer = self.consumer
        await consumer.start()
        try:
            for topic in self.topics:
                self.partitions += [TopicPartition(topic, p) for p in await self._partitions_of(topic)]
            if not self.partitions:
                raise LookupError(f"no such topic: {', '.join(self.topics)}")
            consumer.assign(self.partitions)
            if self.from_end:
                await consumer.seek_to_end(*self.partitions)
                for tp in self.partitions:
                    await consumer.position(tp)
            else:
                await consumer.seek_to_beginning(*self.partitions)
        except BaseException:
            await consumer.stop()
            raise
        return self

    async def _partitions_of(self, topic: str) -> list[int]:
        """``partitions`` when given, else the topic's partitions from the cluster's metadata
        (refreshed once, then for up to ``metadata_timeout`` s: a new topic reaches every
        broker's metadata a little late)."""
        if self.known_partitions is not None:
            return list(range(self.known_partitions))
        deadline = time.monotonic() + self.metadata_timeout
        parts = self.consumer.partitions_for_topic(topic)
        while not parts:
            await refresh_metadata(self.consumer)
            parts = self.consumer.partitions_for_topic(topic)
            if parts or time.monotonic() >= deadline:
                break
            await asyncio.sleep(0.5)
        return sorted(parts or ())

    async def batch(self, timeout_ms: int = 200, max_records: int = 1000) -> list[Received]:
        """The records that arrived within ``timeout_ms`` (possibly none)."""
        batch = await self.consumer.getmany(timeout_ms=timeout_ms, max_records=max_records)
        return [Received(tp.topic, tp.partition, msg.offset, msg.key, msg.value, msg.timestamp)
                for tp, messages in batch.items() for msg in messages]

    async def stop(self) -> None:
        await self.consumer.stop()

    async def __aenter__(self) -> "TopicReader":
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


async def read_topic(
    settings: Settings, topics: list[str], *, from_end: bool = False, timeout: float | None = None,
    count: int | None = None, isolation_level: str = "read_uncommitted",
) -> AsyncIterator[Received]:
    """Yield records of every partition of ``topics`` (no consumer group) until count/timeout."""
    async with TopicReader(settings, topics, from_end=from_end, isolation_level=isolation_level) as reader:
        seen = 0
        deadline = None if timeout is None else time.monotonic() + timeout
        while count is None or seen < count:
            wait = 1.0 if deadline is None else max(0.0, deadline - time.monotonic())
            if deadline is not None and wait <= 0:
                raise TimeoutError(f"{seen} record(s) arrived within {timeout:g}s" +
                                   (f", {count} expected" if count else ""))
            for record in await reader.batch(timeout_ms=int(min(wait, 1.0) * 1000), max_records=500):
                yield record
                seen += 1
                if count is not None and seen >= count:
                    return
