"""Plain aiokafka producers and readers for the CLI (``produce``, ``tail``) and the tests."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import AsyncIterator, Iterable

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from ..settings import Settings
from .client import client_options
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


async def read_topic(
    settings: Settings, topics: list[str], *, from_end: bool = False, timeout: float | None = None,
    count: int | None = None, isolation_level: str = "read_uncommitted",
) -> AsyncIterator[Received]:
    """Yield records of every partition of ``topics`` (no consumer group) until count/timeout."""
    consumer = AIOKafkaConsumer(
        **client_options(settings), enable_auto_commit=False, group_id=None,
        isolation_level=isolation_level, fetch_max_bytes=64 * 1024 * 1024,
        max_partition_fetch_bytes=DEAD_LETTER_MAX_MESSAGE_BYTES,
    )
    await consumer.start()
    try:
        partitions: list[TopicPartition] = []
        for topic in topics:
            parts = consumer.partitions_for_topic(topic)
            if parts is None:
                await consumer._client.force_metadata_update()
                parts = consumer.partitions_for_topic(topic) or set()
            partitions += [TopicPartition(topic, p) for p in sorted(parts)]
        if not partitions:
            raise LookupError(f"no such topic: {', '.join(topics)}")
        consumer.assign(partitions)
        if from_end:
            await consumer.seek_to_end(*partitions)
        else:
            await consumer.seek_to_beginning(*partitions)
        seen = 0
        deadline = None if timeout is None else time.monotonic() + timeout
        while count is None or seen < count:
            wait = 1.0 if deadline is None else max(0.0, deadline - time.monotonic())
            if deadline is not None and wait <= 0:
                raise TimeoutError(f"{seen} record(s) arrived within {timeout:g}s" +
                                   (f", {count} expected" if count else ""))
            batch = await consumer.getmany(timeout_ms=int(min(wait, 1.0) * 1000), max_records=500)
            for tp, messages in batch.items():
                for msg in messages:
                    yield Received(tp.topic, tp.partition, msg.offset, msg.key, msg.value, msg.timestamp)
                    seen += 1
                    if count is not None and seen >= count:
                        return
    finally:
        await consumer.stop()
