"""Delivery: send what a stage produced, and acknowledge its input only when that is safe.

Every agent hands each result to :meth:`Delivery.deliver` as an :class:`Outgoing` (several
results of one input, a fan-out, to :meth:`Delivery.deliver_all`; or it calls
:meth:`Delivery.skip` when a stage produced nothing for an input). Two implementations, chosen by
``NEWS_PROCESSING_GUARANTEE``:

* :class:`AtLeastOnce` (default): the input event is acked once Kafka has acknowledged the
  output, in offset order per input partition (:class:`InOrderAcks`); Faust commits only
  contiguous acked offsets, so a crash replays at most the unacknowledged window.
* :class:`ExactlyOnce`: outputs and input offsets are committed together in the Kafka
  transaction of the input partition (the class docstring says why Faust's own path is not used).

Failures, in one place (:meth:`Delivery.deliver`): a record that cannot be encoded or sent
becomes *one* ``internal_error`` dead letter, sent once; a dead letter that cannot be sent is
left unacknowledged (replayed after a restart, never dropped). Nothing here raises into an
agent: a crashed agent would leave its record unacknowledged and block the partition's commits.

Faust/aiokafka private API is used only through :mod:`streams.kafka.internals`.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict, deque
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any, Callable, Iterable

import faust
from faust.serializers import codecs
from faust.types import EventT

from .. import codec  # noqa: F401  (registers the orjson codec)
from ..codec import CODEC_NAME
from ..deadletter import dead_letter
from ..errors import Reason
from ..kafka import internals
from ..records import SourcePosition
from . import metrics as m
from .handled import HandledOffsets

log = logging.getLogger("streams.worker")


@dataclass(slots=True)
class Outgoing:
    """One result on its way out: ``value`` for ``topic`` (a full topic name), caused by ``event``."""

    event: EventT
    stage: str  # metric label and dead-letter stage
    topic: str
    key: bytes
    value: Any  # a record (dataclass) for the codec; None: a tombstone
    original: bytes | None  # the input payload, kept in a dead letter if this one cannot be sent
    source: SourcePosition
    on_sent: Callable[[], None] | None = None  # called once Kafka has the record
    ticket: Callable[[], None] | None = None  # at-least-once: acks the event in partition order
    partition: int | None = None  # None: the producer's partitioner chooses by key


class PartitionState(Enum):
    """What a delivery knows about an input partition."""

    ASSIGNED = "assigned"  # outputs flow
    BLOCKED = "blocked"  # exactly-once: its transaction refused a send; nothing more until it is reassigned
    REVOKED = "revoked"  # taken away in a rebalance (outputs already in flight still complete)


class Delivery:
    """Send results and acknowledge inputs; subclasses decide how (see the module docstring)."""

    def __init__(self, app: faust.App, dead_letter_topic: str) -> None:
        self.app = app
        self.dead_letter_topic = dead_letter_topic
        self.partitions: dict[Any, PartitionState] = {}
        self.handled = HandledOffsets()  # what each input partition's agent was handed since the assignment

    # -- lifecycle (connected to the app's signals of the same names in app.py) --------------

    async def on_partitions_revoked(self, sender: Any, revoked: Iterable[Any], **kwargs: Any) -> None:
        for tp in revoked:
            self.partitions[tp] = PartitionState.REVOKED

    async def on_partitions_assigned(self, sender: Any, assigned: Iterable[Any], **kwargs: Any) -> None:
        """After a rebalance Faust seeks every assigned partition to its committed offset."""
        self.partitions = dict.fromkeys(assigned, PartitionState.ASSIGNED)
        self.handled.clear()

    def redelivered(self, event: EventT) -> bool:
        """True for an event whose offset was handled already since the assignment: Faust can hand
        a partition's first records twice while it recovers tables (fetched, then fetched again
        after its seek to the committed offsets). The first copy's outputs are on their way, so
        the second is only acknowledged, behind the first (each subclass says how)."""
        msg = event.message
        if self.handled.seen(msg.tp, msg.offset):
            m.REDELIVERED.inc()
            return True
        return False

    # -- the one delivery path --------------------------------------------------------------

    async def deliver(self, out: Outgoing) -> None:
        """Send ``out`` and ack its event once that is safe; a record that cannot be encoded or
        sent goes to the dead-letter topic instead (once). Never raises."""
        self.track(out)
        fallback = await self.send(out)
        if fallback is not None:
            await self.send(fallback)

    async def deliver_all(self, outs: list[Outgoing]) -> None:
        """Several results of one event (a fan-out, at least one): the event is acked once Kafka
        has every one of them (or the dead letter that replaced it). Never raises."""
        self.track_all(outs)
        for out in outs:
            fallback = await self.send(out)
            if fallback is not None:
                await self.send(fallback)

    def skip(self, event: EventT) -> None:
        """The stage produced nothing for ``event`` (a stateful stage that only updated a table)."""
        raise NotImplementedError

    def track(self, out: Outgoing) -> None:
        """Called once per result, before its first send."""

    def track_all(self, outs: list[Outgoing]) -> None:
        """Called once per fan-out (the results of one event), before the first send."""

    async def send(self, out: Outgoing) -> Outgoing | None:
        """Encode and send ``out``; returns the dead letter to send instead when that failed at
        once (a send that fails later is dead-lettered by its completion callback)."""
        try:
            data = encode(out)
        except Exception as exc:  # a record the codec cannot encode
            return self.failed(out, "encode for", exc)
        return await self.produce(out, data)

    async def produce(self, out: Outgoing, data: bytes) -> Outgoing | None:
        raise NotImplementedError

    def failed(self, out: Outgoing, what: str, exc: BaseException, *, counted: bool = False) -> Outgoing | None:
        """Log a failed send of ``out`` and return the ``internal_error`` dead letter that replaces
        it, or None when ``out`` already was a dead letter (left unacked: replayed after a restart)."""
        if not counted:
            m.SEND_ERRORS.labels(out.stage).inc()
        log.error("could not %s %s: %s (key %r): %s: %s", what, out.topic, out.source.describe(), out.key,
                  type(exc).__name__, exc, exc_info=not counted)
        if out.topic == self.dead_letter_topic:
            return None
        dl = dead_letter(out.original, stage=out.stage, reason=Reason.INTERNAL_ERROR,
                         message=f"could not {what} {out.topic}: {type(exc).__name__}: {exc}", source=out.source)
        return replace(out, topic=self.dead_letter_topic, value=dl, original=None, on_sent=None)


class AtLeastOnce(Delivery):
    """Ack each event once Kafka has its output, in offset order within the input partition."""

    def __init__(self, app: faust.App, dead_letter_topic: str) -> None:
        super().__init__(app, dead_letter_topic)
        self.acks = InOrderAcks()

    async def on_partitions_assigned(self, sender: Any, assigned: Iterable[Any], **kwargs: Any) -> None:
        await super().on_partitions_assigned(sender, assigned)
        self.acks.reset()

    async def deliver(self, out: Outgoing) -> None:
        if self.redelivered(out.event):
            self.acks.track(out.event)()  # acked in offset order, so never before its first copy
            return
        await super().deliver(out)

    async def deliver_all(self, outs: list[Outgoing]) -> None:
        if self.redelivered(outs[0].event):
            self.acks.track(outs[0].event)()
            return
        await super().deliver_all(outs)

    def track(self, out: Outgoing) -> None:
        out.ticket = self.acks.track(out.event)

    def track_all(self, outs: list[Outgoing]) -> None:
        """One place in the partition's ack order; released when the last result is in Kafka."""
        delivered = self.acks.track(outs[0].event)
        remaining = len(outs)

        def one() -> None:
            nonlocal remaining
            remaining -= 1
            if remaining == 0:
                delivered()

        for out in outs:
            out.ticket = one

    def skip(self, event: EventT) -> None:
        self.redelivered(event)  # noted either way: nothing is sent for it
        self.acks.track(event)()

    async def produce(self, out: Outgoing, data: bytes) -> Outgoing | None:
        try:
            fut = await internals.send_raw(self.app.producer, out.topic, out.key, data, partition=out.partition)
        except Exception as exc:  # producer stopped, record too large for the broker...
            return self.failed(out, "send to", exc)
        m.bound(m.IN_FLIGHT, out.stage).inc()

        def done(f: asyncio.Future) -> None:
            exc = _settled(f, out)
            if exc is None:
                out.ticket()
                return
            fallback = self.failed(out, "send to", exc, counted=True)
            if fallback is not None:
                asyncio.ensure_future(self.send(fallback))

        fut.add_done_callback(done)
        return None


class InOrderAcks:
    """At-least-once: acknowledge the events of each input partition in offset order.

    Sends to different topics (``cleaned`` and ``dead-letter``) complete in any order, and Faust
    commits past an unacknowledged offset when the next one is acked first (its ``_new_offset``
    accepts ``min(acked) == committed + 1``): a crash then would lose that record. Holding each
    ack until every earlier event of its partition is acked keeps the commit behind every
    in-flight send.
    """

    def __init__(self) -> None:
        self._queues: dict[Any, deque] = defaultdict(deque)

    def track(self, event: EventT) -> Callable[[], None]:
        """Register ``event`` (in consumption order); returns the callback for its delivery."""
        queue = self._queues[event.message.tp]
        entry = [event, False]
        queue.append(entry)

        def delivered() -> None:
            entry[1] = True
            while queue and queue[0][1]:
                queue.popleft()[0].ack()

        return delivered

    def reset(self) -> None:
        """After a rebalance Faust seeks to the committed offsets: forget what never completed
        (emptied in place, so a late completion of a forgotten event acks nothing)."""
        for queue in self._queues.values():
            queue.clear()
        self._queues.clear()


class ExactlyOnce(Delivery):
    """``exactly_once``: each output goes into the Kafka transaction of its *input* partition,
    and that transaction commits exactly the input offsets whose outputs it holds.

    Faust's own exactly-once path does not give that for this app: its ``TransactionManager``
    picks the transaction by the *output* partition, and for ``enriched`` and ``dead-letter``
    (topics this app does not consume) it finds none and sends outside any transaction; and
    its commit offsets come from the acked-offset bookkeeping, which stops short at the control
    records that transactions leave in ``cleaned`` (the gap is added to the acked list a second
    time and splits the run), so a transaction could commit outputs without their offsets and
    a crash would replay them into a second transaction. So here:

    * the record is sent by the transactional producer of the input partition
      (``{app_id}-{topic group}-{partition}``, the id Faust starts per assigned partition), and the
      next offset to commit for that partition is noted right then;
    * the consumer's commit is replaced: under a gate that keeps sends out while it runs, it
      sends the noted offsets to their transactions and commits them (Faust's producer API), and
      trims Faust's ack bookkeeping; so a transaction holds the outputs of exactly the offsets it
      commits; if a send fails the transaction cannot commit and the worker stops; the next
      producer with that id aborts it, and the input is replayed;
    * an event is acked as soon as its output is in the transaction (Faust's rebalance and stop
      wait for acks).
    """

    def __init__(self, app: faust.App, dead_letter_topic: str) -> None:
        super().__init__(app, dead_letter_topic)
        self.gate = asyncio.Lock()
        self.offsets: dict[Any, int] = {}  # input tp -> next offset, for outputs in open transactions
        self._installed: Any = None

    def _again(self, event: EventT) -> bool:
        """A redelivered event (:meth:`Delivery.redelivered`): its first copy's outputs are in a
        transaction already, so the second is acked at once and dropped."""
        if self.redelivered(event):
            event.ack()
            return True
        return False

    def _install(self) -> None:
        consumer = self.app.consumer
        if self._installed is not consumer:
            internals.replace_commit(consumer, self.commit)
            self._installed = consumer

    async def commit(self, topics: Any = None, start_new_transaction: bool = True) -> bool:
        consumer = self.app.consumer
        async with self.gate:
            assigned = consumer.assignment()
            offsets = {tp: offset for tp, offset in self.offsets.items() if tp in assigned}
            self.offsets.clear()  # revoked partitions: their transactions are abandoned (aborted by the next owner)
            if not offsets:
                return False
            state = self.app.sensors.on_commit_initiated(consumer)
            try:
                await consumer.transactions.commit(offsets, start_new_transaction=start_new_transaction)
            except Exception as exc:
                log.error("could not commit the transactions for %s: %s: %s; stopping the worker (the next "
                          "owner aborts them and replays their input)", sorted(map(str, offsets)),
                          type(exc).__name__, exc)
                await self.app.crash(exc)
                return False
            for tp, offset in offsets.items():
                internals.mark_committed(consumer, tp, offset)
            self.app.sensors.on_commit_completed(consumer, state)
            return True

    def skip(self, event: EventT) -> None:
        msg = event.message
        if self.partitions.get(msg.tp) is not PartitionState.BLOCKED and not self._again(event):
            self.offsets[msg.tp] = msg.offset + 1
            event.ack()

    async def produce(self, out: Outgoing, data: bytes) -> Outgoing | None:
        await self.produce_all([(out, data)])
        return None

    async def deliver_all(self, outs: list[Outgoing]) -> None:
        """A fan-out goes into the transaction at once: no commit can fall between its sends."""
        encoded = []
        for out in outs:
            try:
                encoded.append((out, encode(out)))
            except Exception as exc:  # a record the codec cannot encode: its dead letter instead
                fallback = self.failed(out, "encode for", exc)
                if fallback is None:
                    return  # not acked: replayed after a restart
                encoded.append((fallback, codecs.dumps(CODEC_NAME, fallback.value)))
        await self.produce_all(encoded)

    async def produce_all(self, encoded: list[tuple[Outgoing, bytes]]) -> None:
        """Send the results of one event in its input partition's transaction, then note its
        offset and ack it, under the gate (so the commit takes all of them or none)."""
        self._install()
        event, app = encoded[0][0].event, self.app
        msg = event.message
        tp = msg.tp
        transactional_id = f"{app.conf.id}-?-{msg.partition}"
        sent = []
        async with self.gate:
            if self.partitions.get(tp) is PartitionState.BLOCKED:
                return  # not acked, not committed: replayed after the next seek to the committed offset
            if self._again(event):
                return
            try:
                transactional_id = internals.transactional_id(app, msg.topic, msg.partition)
                for out, data in encoded:
                    sent.append((out, await internals.send_raw(app.producer, out.topic, out.key, data,
                                                               transactional_id, out.partition)))
            except Exception as exc:
                # No open transaction for this partition (revoked in a rebalance) or a broken one.
                self.partitions[tp] = PartitionState.BLOCKED
                out = encoded[len(sent)][0]
                m.SEND_ERRORS.labels(out.stage).inc()
                log.warning("could not send to %s in transaction %s for %s: %s: %s (not acked; it will be "
                            "replayed)", out.topic, transactional_id, out.source.describe(),
                            type(exc).__name__, exc)
                return
            self.offsets[tp] = msg.offset + 1
            event.ack()
        for out, fut in sent:
            m.bound(m.IN_FLIGHT, out.stage).inc()
            fut.add_done_callback(self._on_done(out, transactional_id))

    def _on_done(self, out: Outgoing, transactional_id: str) -> Callable[[asyncio.Future], None]:
        def done(f: asyncio.Future) -> None:
            exc = _settled(f, out)
            if exc is None:
                return
            log.error("send to %s failed in transaction %s: %s: %s; stopping the worker so that the "
                      "transaction is aborted and its input replayed", out.topic, transactional_id,
                      type(exc).__name__, exc)
            asyncio.ensure_future(self.app.crash(exc))

        return done


def encode(out: Outgoing) -> bytes | None:
    """The record's bytes; ``None`` stays ``None``: a tombstone (a table's changelog deletion)."""
    return None if out.value is None else codecs.dumps(CODEC_NAME, out.value)


def create_delivery(app: faust.App, dead_letter_topic: str, *, exactly_once: bool) -> Delivery:
    return (ExactlyOnce if exactly_once else AtLeastOnce)(app, dead_letter_topic)


def _settled(f: asyncio.Future, out: Outgoing) -> BaseException | None:
    """Bookkeeping for a finished send: in-flight gauge, send errors, the on-sent hook.
    Returns the send's exception (None when Kafka has the record)."""
    m.bound(m.IN_FLIGHT, out.stage).dec()
    exc = f.exception() if not f.cancelled() else asyncio.CancelledError()
    if exc is None:
        if out.on_sent is not None:
            out.on_sent()
    else:
        m.SEND_ERRORS.labels(out.stage).inc()
    return exc
