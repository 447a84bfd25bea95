"""What :mod:`streams.kafka.internals` changes in Faust's and aiokafka's behaviour, on a broker.

The producer keeps every topic it writes in its metadata (:func:`~streams.kafka.internals.track_topics`,
:func:`~streams.kafka.internals.send_raw`): aiokafka otherwise narrows its metadata to the first
topic it had to look up, and a batch queued for any other topic can wait for a leader that no
refresh brings back. A partition never committed is rewound to its start by the seek to the
committed offsets (:func:`~streams.kafka.internals.seek_fresh_partitions_to_start`): aiokafka
leaves it where its fetcher got to, past records Faust dropped."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import faust
import pytest

from streams.kafka import internals
from streams.kafka.topics import ensure_topics
from streams.service.app import faust_config

pytestmark = pytest.mark.kafka


async def _metadata_after_a_new_topic(settings, *, track: bool) -> tuple[set[int] | None, set[str]]:
    """Send to ``enriched`` (known from the all-topics metadata), then to a topic created after
    the producer started, refresh: does the producer still know ``enriched``'s partitions?"""
    from aiokafka.admin import AIOKafkaAdminClient, NewTopic

    from streams.kafka.client import client_options

    app = faust.App(settings.app_id, **faust_config(settings))
    producer = app.producer
    await producer.start()
    try:
        enriched, late = settings.topic("enriched"), f"{settings.topic_prefix}late-topic"
        client = producer._producer.client
        for _ in range(60):  # topics made by ensure_topics reach the broker's metadata cache a moment later
            await client.force_metadata_update()
            if enriched in client.cluster.topics():
                break
            await asyncio.sleep(0.5)
        await (await internals.send_raw(producer, enriched, b"k", b"{}"))
        tracked = await internals.track_topics(producer, [enriched, f"{settings.topic_prefix}absent"]) if track else set()
        admin = AIOKafkaAdminClient(**client_options(settings))
        await admin.start()
        try:
            await admin.create_topics([NewTopic(late, 1, 1)])
        finally:
            await admin.close()
        for _ in range(60):  # the new topic reaches the broker's metadata cache a moment later
            try:
                await (await internals.send_raw(producer, late, b"k", b"{}"))
                break
            except Exception:  # UnknownTopicOrPartitionError while it propagates
                await asyncio.sleep(0.5)
        await client.force_metadata_update()
        return client.cluster.partitions_for_topic(enriched), tracked
    finally:
        await producer.stop()


def test_a_new_topic_does_not_drop_the_others_from_the_producers_metadata(kafka_settings):
    base = replace(kafka_settings, app_id=kafka_settings.app_id + "-md")
    for suffix, track in (("untracked.", False), ("tracked.", True)):
        settings = replace(base, topic_prefix=base.topic_prefix + suffix)
        asyncio.run(ensure_topics(settings))
        partitions, tracked = asyncio.run(_metadata_after_a_new_topic(settings, track=track))
        if track:
            assert partitions, "enriched dropped out of the producer's metadata although tracked"
            assert tracked == {settings.topic("enriched")}  # the absent topic is not asked for
        else:
            # aiokafka's own behaviour, the reason for track_topics: if this starts failing, an
            # upgrade changed it and track_topics may no longer be needed.
            assert partitions is None


async def _send_outside_the_tracked_set(settings) -> tuple[bool, set[int] | None]:
    """The producer tracks ``enriched`` only while its metadata still has ``cleaned`` (what a
    worker sees between the all-topics start and a narrowed refresh); a send to ``cleaned`` must
    add it to the tracked set, so the next refresh keeps its leader."""
    app = faust.App(settings.app_id, **faust_config(settings))
    producer = app.producer
    await producer.start()
    try:
        client = producer._producer.client
        cleaned = settings.topic("cleaned")
        for _ in range(60):
            await client.force_metadata_update()
            if cleaned in client.cluster.topics():
                break
            await asyncio.sleep(0.5)
        client._topics = {settings.topic("enriched")}  # narrowed, metadata not yet refreshed
        await (await internals.send_raw(producer, cleaned, b"k", b"{}"))
        await client.force_metadata_update()
        return cleaned in client._topics, client.cluster.partitions_for_topic(cleaned)
    finally:
        await producer.stop()


def test_a_send_to_an_untracked_topic_adds_it(kafka_settings):
    settings = replace(kafka_settings, app_id=kafka_settings.app_id + "-md2",
                       topic_prefix=kafka_settings.topic_prefix + "send.")
    asyncio.run(ensure_topics(settings))
    tracked, partitions = asyncio.run(_send_outside_the_tracked_set(settings))
    assert tracked and partitions


async def _position_after_seek(settings, topic: str, *, wrapped: bool, commit: int | None) -> int:
    """A group consumer reads the 5 records of ``topic`` without committing them (Faust's fetcher
    then drops them: a rebalance began), optionally commits ``commit``; where does "seek to the
    committed offsets" leave it?"""
    from types import SimpleNamespace

    from aiokafka import AIOKafkaConsumer, TopicPartition

    from streams.kafka.client import client_options

    consumer = AIOKafkaConsumer(topic, group_id=f"{settings.app_id}-{topic}", auto_offset_reset="earliest",
                                enable_auto_commit=False, **client_options(settings))
    await consumer.start()
    try:
        tp = TopicPartition(topic, 0)
        got = 0
        for _ in range(60):
            got += sum(len(v) for v in (await consumer.getmany(timeout_ms=500)).values())
            if got >= 5:
                break
        assert got == 5
        if commit is not None:
            await consumer.commit({tp: commit})

        class Thread:  # the shape of Faust's consumer thread, around a real aiokafka consumer
            async def seek_to_committed(self):
                return await consumer.seek_to_committed()

            async def call_thread(self, fun, *args):
                return await fun(*args)

            def _ensure_consumer(self):
                return consumer

        thread = Thread()
        if wrapped:
            app = SimpleNamespace(consumer=SimpleNamespace(_thread=thread),
                                  tables=SimpleNamespace(changelog_topics={"some-table-changelog"}))
            internals.seek_fresh_partitions_to_start(app)
        await thread.seek_to_committed()
        return await consumer.position(tp)
    finally:
        await consumer.stop()


def test_seek_to_committed_rewinds_a_partition_never_committed(kafka_settings):
    from streams.kafka.io import produce

    settings = replace(kafka_settings, app_id=kafka_settings.app_id + "-seek",
                       topic_prefix=kafka_settings.topic_prefix + "seek.", topic_partitions=1)
    asyncio.run(ensure_topics(settings))
    topic = settings.topic("raw")
    asyncio.run(produce(settings, topic, [(f"k{n}".encode(), b"{}") for n in range(5)]))
    # aiokafka's own behaviour, the reason for the wrapper: no committed offset, no seek (if this
    # starts failing, an upgrade changed it)
    assert asyncio.run(_position_after_seek(settings, topic, wrapped=False, commit=None)) == 5
    assert asyncio.run(_position_after_seek(settings, topic, wrapped=True, commit=None)) == 0
    assert asyncio.run(_position_after_seek(settings, topic, wrapped=True, commit=3)) == 3  # committed: as before


async def _changelog_ends(settings, topic: str) -> tuple[dict, dict, dict]:
    """A changelog partition with a committed transaction (3 records and its marker) and a second
    one still open (2 records): what do Faust's exactly-once ``_highwaters`` and the wrapped one
    return for a read_committed consumer that has not fetched it yet (a recovery right after an
    assignment), and the wrapped one once the open transaction commits?"""
    from types import SimpleNamespace

    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
    from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread

    from streams.kafka.client import client_options

    tp = TopicPartition(topic, 0)
    producer = AIOKafkaProducer(transactional_id=f"{settings.app_id}-ends", **client_options(settings))
    consumer = AIOKafkaConsumer(isolation_level="read_committed", **client_options(settings))
    await producer.start()
    await consumer.start()
    try:
        async with producer.transaction():
            for n in range(3):
                await producer.send_and_wait(topic, b"v", key=f"k{n}".encode(), partition=0)
        await producer.begin_transaction()
        for n in range(2):
            await producer.send_and_wait(topic, b"v", key=f"open{n}".encode(), partition=0)
        consumer.assign([tp])

        class Thread:  # the shape of Faust's consumer thread under exactly_once, around a real consumer
            consumer = SimpleNamespace(in_transaction=True)

            def _ensure_consumer(self):
                return consumer

        thread = Thread()
        fausts = await AIOKafkaConsumerThread._highwaters(thread, [tp])
        internals.read_changelog_ends_from_broker(SimpleNamespace(consumer=SimpleNamespace(_thread=thread),
                                                                  tables=SimpleNamespace(changelog_topics={topic})))
        open_ = await thread._highwaters([tp])
        await producer.commit_transaction()
        committed = await thread._highwaters([tp])
        return fausts[tp], open_[tp], committed[tp]
    finally:
        await consumer.stop()
        await producer.stop()


def test_recovery_reads_changelog_ends_from_the_broker_under_exactly_once(kafka_settings):
    settings = replace(kafka_settings, app_id=kafka_settings.app_id + "-ends",
                       topic_prefix=kafka_settings.topic_prefix + "ends.", topic_partitions=1)
    asyncio.run(ensure_topics(settings))
    fausts, open_, committed = asyncio.run(_changelog_ends(settings, settings.topic("raw")))
    # Faust's own answer, the reason for the wrapper: aiokafka's cached last stable offset, None
    # before the first fetch, which recovery reads as an empty changelog (if this starts failing,
    # an upgrade changed it)
    assert fausts is None
    assert open_ == 4  # 3 committed records and their marker; the open transaction's 2 not yet
    assert committed == 7  # the 2 and their marker
