"""Every use of Faust's and aiokafka's *private* API, in one small module.

The service needs a few things neither library exposes: exactly-once delivery replaces Faust's
consumer commit and keeps Faust's acked-offset bookkeeping in step with it; the lag metric reads
Faust's committed offsets; readiness reads the aiokafka group coordinator's state; the topic
reader refreshes metadata for a topic it has not seen yet; the producer tracks every topic the
worker writes; under exactly_once the tables' recovery reads the changelogs' end offsets from the
broker. Nothing else in ``streams/`` touches an
underscore attribute of either library (``tests/test_internals.py`` checks that, and that each
attribute below still exists and means what this module assumes: it fails loudly after an upgrade
that changes one of them).

Written against faust-streaming 0.15 and aiokafka 0.14 (see ``requirements.lock``).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Iterable

log = logging.getLogger("streams.kafka")

#: The private attributes of Faust's ``transport.consumer.Consumer`` used here.
FAUST_CONSUMER_FIELDS = ("_committed_offset", "_acked", "_acked_index", "_gap")


def committed_offset(consumer: Any, tp: Any) -> int | None:
    """Faust's view of ``tp``'s committed offset (the next offset to consume), or None."""
    return consumer._committed_offset.get(tp)


def mark_committed(consumer: Any, tp: Any, offset: int) -> None:
    """Record ``offset`` as committed for ``tp`` in Faust's consumer and drop its acked-offset
    bookkeeping below it (Faust would otherwise keep every acked offset when its own commit is
    replaced, see :func:`replace_commit`)."""
    consumer._committed_offset[tp] = offset
    acked = consumer._acked.get(tp)
    if acked:
        done = [o for o in acked if o < offset]
        acked[:] = [o for o in acked if o >= offset]
        consumer._acked_index[tp].difference_update(done)
    gap = consumer._gap.get(tp)
    if gap:
        gap.chop(0, offset)


def replace_commit(consumer: Any, commit: Callable[..., Awaitable[bool]]) -> None:
    """Make every commit of ``consumer`` (its timer, rebalances, stop) call ``commit`` instead of
    Faust's ``force_commit``; ``commit(topics=None, start_new_transaction=True) -> bool``."""
    consumer.force_commit = commit


def seek_fresh_partitions_to_start(app: Any) -> None:
    """Make Faust's "seek every partition to its committed offset" also rewind the partitions that
    have no committed offset yet, to their start (what ``auto_offset_reset=earliest`` promises).

    Faust drops records it has fetched but not handed to an agent when a rebalance or the tables'
    recovery stops the flow (a partition not yet active, a generation that changed), and counts on
    that seek to fetch them again. aiokafka seeks only partitions with a committed offset above 0,
    so a partition never committed stays where its fetcher got to: the dropped records are skipped,
    the next ones are acked, and their commit passes over the gap. That lost the first records of a
    ``raw`` partition when two workers started a new group while articles arrived (story takeover
    test, 2026-11-30). Changelog partitions are left alone (Faust positions them itself)."""
    thread = app.consumer._thread
    if getattr(thread, "_news_seeks_fresh", False):
        return
    original = thread.seek_to_committed

    async def seek_to_committed() -> Any:
        committed = await original()
        changelogs = app.tables.changelog_topics
        fresh = [tp for tp, offset in committed.items()
                 if (offset is None or offset <= 0) and tp.topic not in changelogs]
        if fresh:
            await thread.call_thread(thread._ensure_consumer().seek_to_beginning, *fresh)
        return committed

    thread.seek_to_committed = seek_to_committed
    thread._news_seeks_fresh = True


def read_changelog_ends_from_broker(app: Any) -> None:
    """Under exactly_once, make the tables' recovery ask the broker for the changelogs' end offsets
    (ListOffsets with the consumer's read_committed isolation: the last stable offset), as it does
    under at-least-once (there with read_uncommitted: the log end).

    Faust's consumer thread answers ``highwaters`` under exactly_once with aiokafka's
    ``last_stable_offset(tp)``: the value of the partition's last *fetch* response, None for a
    partition not fetched yet, which every changelog partition is right after an assignment.
    Recovery turns None into highwater -1, "empty changelog": it reads nothing and the agent
    answers from empty tables (the story stage's exactly-once SIGKILL test: every story changelog
    -1 after a restart, 3 to 6 of 160 articles with other story ids, 3 of 3 runs, 2026-11-30). A
    fetched value can also be stale (behind the broker's in 3 of 8 later runs, e.g. 10 for 26).
    The lag metric reads the same ends, now also from the broker. Faust starts the transactional producers of the assigned partitions before
    the recovery reads these offsets, and a producer's start returns only once the broker has
    completed (or aborted) the previous owner's open transaction on its id, so the stable offset
    read then covers every committed changelog write of that owner."""
    thread = app.consumer._thread
    if getattr(thread, "_news_reads_changelog_ends", False):
        return

    async def _highwaters(partitions: list[Any]) -> dict[Any, int]:
        consumer = thread._ensure_consumer()
        ends = await consumer.end_offsets(list(partitions))
        changelogs = app.tables.changelog_topics
        if any(tp.topic in changelogs for tp in partitions):  # a recovery (the lag metric asks too)
            cached = {tp: _cached_stable_offset(consumer, tp) for tp in partitions}
            log.info("changelog end offsets from the broker (last stable offsets): %s; the consumer's cached "
                     "values, which Faust would have used: %s", _by_tp(ends), _by_tp(cached))
        return ends

    thread._highwaters = _highwaters
    thread._news_reads_changelog_ends = True


def _cached_stable_offset(consumer: Any, tp: Any) -> int | None:
    try:
        return consumer.last_stable_offset(tp)
    except AssertionError:  # not assigned
        return None


def _by_tp(offsets: dict[Any, Any]) -> str:
    return ", ".join(f"{tp.topic}[{tp.partition}]={offset}" for tp, offset in sorted(offsets.items())) or "none"


def send_raw(producer: Any, topic: str, key: bytes | None, value: bytes | None,
             transactional_id: str | None = None, partition: int | None = None) -> Awaitable[asyncio.Future]:
    """Hand already-encoded bytes straight to Faust's producer; returns (awaitably) the future
    of Kafka's acknowledgement. ``Topic.send`` would wrap every record in futures, pending
    messages and a second serialisation pass (~4% of a worker's CPU) for nothing used here.
    ``partition``: None lets the producer choose by key.

    Once the producer tracks a set of topics (:func:`track_topics`), a send to a topic outside it
    adds it: aiokafka would not (the topic is in its metadata), and the next refresh would drop it
    with a batch still queued for it, which then waits for ever."""
    started = getattr(producer, "_producer", None)  # None before start (and in unit tests)
    if started is not None:
        client = started.client
        tracked = client._topics
        if tracked and topic not in tracked:
            client.add_topic(topic)
    return producer.send(topic, key, value, partition, None, None, transactional_id=transactional_id)


async def track_topics(producer: Any, names: Iterable[str]) -> set[str]:
    """Make every metadata refresh of Faust's producer cover ``names`` (the topics the worker writes).

    aiokafka asks for every topic's metadata while the set of topics it tracks is empty, and a
    send to a topic already in that metadata does not add it to the set. The first send to a topic
    it did not know yet (a changelog or stage topic created after start) makes the set that one
    topic, and each refresh after that replaces the metadata with that topic alone: a batch already
    queued for any other topic then waits for a leader no refresh brings back (a stalled worker in
    the 3-node broker-failure test). Tracking the whole set keeps every written topic in each
    refresh. Only names the cluster has are tracked (an absent topic would be a warning at every
    refresh). Returns the topics tracked."""
    client = producer._ensure_producer().client
    tracked = set(client._topics)
    await client.set_topics([])  # every topic's metadata, to see which of ``names`` exist
    wanted = (set(names) & client.cluster.topics()) | tracked
    await client.set_topics(sorted(wanted))
    return wanted


def transactional_id(app: Any, topic: str, partition: int) -> str:
    """The id of the transactional producer Faust starts for an assigned input partition."""
    return f"{app.conf.id}-{app.assignor.group_for_topic(topic)}-{partition}"


@dataclass(frozen=True, slots=True)
class GroupState:
    """The consumer group as this worker's aiokafka coordinator sees it."""

    started: bool  # the consumer (and its coordinator) exist
    coordinator_known: bool  # the group coordinator is known and answered the last heartbeat
    generation: int  # > 0 once the worker has joined the group
    member_id: str

    @property
    def joined(self) -> bool:
        return self.coordinator_known and self.generation > 0 and bool(self.member_id)


def group_state(consumer: Any) -> GroupState:
    """Read the group coordinator of Faust's consumer thread (plain attribute reads, so safe
    from the web handler's thread)."""
    thread = getattr(consumer, "_thread", None)
    client = getattr(thread, "_consumer", None) if thread is not None else None
    coordinator = getattr(client, "_coordinator", None) if client is not None else None
    if coordinator is None:
        return GroupState(False, False, -1, "")
    return GroupState(True, coordinator.coordinator_id is not None, coordinator.generation,
                      coordinator.member_id or "")


async def refresh_metadata(consumer: Any) -> None:
    """Ask the cluster for fresh metadata (an aiokafka consumer knows only topics it has seen)."""
    await consumer._client.force_metadata_update()
