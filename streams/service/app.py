"""The Faust application: topics, the two agents, and the web endpoints.

``raw`` --clean--> ``cleaned`` --entities--> ``enriched``; either agent may route a record to
``dead-letter`` instead. Agents read raw bytes (``value_serializer="raw"``) so that a payload
Faust could not decode still reaches *our* code and becomes a dead letter rather than a log line.
Keys are article ids, so every stage keeps per-article order and partitioning.

Delivery: agents iterate a ``noack`` stream and acknowledge each event only when Kafka has
acknowledged what it produced (the cleaned/enriched record or the dead letter). Faust commits
only contiguous acknowledged offsets, so a crash replays at most the unacknowledged window:
at-least-once by default. With ``NEWS_PROCESSING_GUARANTEE=exactly_once`` outputs and input
offsets are committed together in Kafka transactions (see :class:`EosDelivery`).
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Any

import faust
from faust.serializers import codecs
from faust.types import EventT
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest


from .. import codec  # noqa: F401  (registers the orjson codec)
from ..codec import CODEC_NAME
from ..errors import Reason
from ..kafka.client import ssl_context
from ..kafka.topics import DEAD_LETTER_MAX_MESSAGE_BYTES
from ..pipeline import CLEAN, ENTITIES, clean_stage, entities_stage, warm_up
from ..records import DeadLetter, EnrichedArticle, SourcePosition
from ..deadletter import dead_letter
from ..settings import Settings
from ..timeutil import from_epoch_ms, to_epoch_seconds
from . import metrics as m

log = logging.getLogger("streams.worker")


@dataclass
class Topics:
    raw: faust.TopicT
    cleaned: faust.TopicT
    enriched: faust.TopicT
    dead_letter: faust.TopicT


@dataclass
class NewsApp:
    """The Faust app plus handles that tests and the CLI need."""

    app: faust.App
    topics: Topics
    settings: Settings
    clean_agent: Any
    entities_agent: Any
    story_stage: Any = None  # streams.stories.service.StoryStage


def _credentials(settings: Settings) -> Any:
    proto = settings.kafka_security_protocol
    if proto.startswith("SASL"):
        return faust.SASLCredentials(
            username=settings.kafka_sasl_username,
            password=settings.kafka_sasl_password,
            mechanism=settings.kafka_sasl_mechanism,
            ssl_context=ssl_context(settings) if proto == "SASL_SSL" else None,
        )
    if proto == "SSL":
        return faust.SSLCredentials(ssl_context(settings))
    return None


class Worker(faust.Worker):
    """Faust's worker without its terminal spinner.

    Faust hooks the spinner to the root logger by setting the root level to DEBUG (the handler
    stays at ``--loglevel``), so every ``log.debug`` in Faust and aiokafka, several per record
    sent, built a LogRecord that was then thrown away: ~3% of a worker's CPU. Without the
    spinner the root logger keeps ``--loglevel`` and the worker prints "Ready" when it starts.
    """

    def on_setup_root_logger(self, logger: logging.Logger, level: int) -> None:
        self.spinner = None


def create_app(settings: Settings | None = None, **overrides: Any) -> NewsApp:
    settings = settings or Settings.from_env()
    warm_up()
    brokers = [f"kafka://{h.strip()}" for h in settings.kafka_bootstrap_servers.split(",") if h.strip()]
    conf: dict[str, Any] = dict(
        broker=brokers,
        broker_credentials=_credentials(settings),
        value_serializer="orjson",
        key_serializer="raw",
        topic_partitions=settings.topic_partitions,
        topic_replication_factor=settings.topic_replication,
        processing_guarantee=settings.processing_guarantee,
        broker_session_timeout=settings.broker_session_timeout,
        broker_rebalance_timeout=settings.broker_rebalance_timeout,
        broker_heartbeat_interval=min(3.0, settings.broker_session_timeout / 3),
        broker_commit_interval=1.0,
        producer_acks=-1,  # acks=all: a record counts as sent once every in-sync replica has it
        producer_max_request_size=DEAD_LETTER_MAX_MESSAGE_BYTES + 1024 * 1024,
        producer_linger_ms=5,
        consumer_auto_offset_reset="earliest",
        web_bind=settings.web_host,
        web_host=settings.web_host,
        web_port=settings.web_port,
        datadir=settings.data_dir,
        store="memory://",
        topic_disable_leader=False,
        Worker=Worker,
    )
    conf.update(overrides)
    app = faust.App(settings.app_id, **conf)

    def topic(stage: str) -> faust.TopicT:
        return app.topic(
            settings.topic(stage), key_type=bytes, value_type=bytes, key_serializer="raw",
            value_serializer="raw", partitions=settings.topic_partitions,
        )

    topics = Topics(topic("raw"), topic("cleaned"), topic("enriched"), topic("dead-letter"))
    names = {t: t.get_topic_name() for t in (topics.cleaned, topics.enriched, topics.dead_letter)}
    worker_id = f"{socket.gethostname()}:{settings.web_port}"
    m.set_worker_info(settings.app_id, worker_id)
    m.FAUST_MONITOR.attach(app)

    eos = EosDelivery(app) if settings.exactly_once else None
    in_order = InOrderAcks()
    pending_acks: dict[int, Any] = {}  # id(event) -> its ack callback, until delivered

    @app.on_partitions_assigned.connect
    async def _after_rebalance(sender: Any, assigned: Any, **kwargs: Any) -> None:
        in_order.reset()
        pending_acks.clear()
        if eos is not None:
            eos.reset()

    async def failed(what: str, exc: Exception, event: EventT, stage: str, target: faust.TopicT, key: bytes,
                     original: bytes | None, source: SourcePosition) -> None:
        """A record could not be encoded or handed to the producer: dead-letter it instead (a dead
        letter that fails is left unacked, so it is replayed after a restart, never dropped)."""
        m.SEND_ERRORS.labels(stage).inc()
        log.exception("could not %s %s: %s (key %r)", what, names[target], _where(source), key)
        if target is topics.dead_letter:
            return
        dl = dead_letter(original, stage=stage, reason=Reason.INTERNAL_ERROR,
                         message=f"could not {what} {names[target]}: {type(exc).__name__}: {exc}", source=source)
        await deliver(event, stage, topics.dead_letter, key, dl, None, source)

    async def deliver(event: EventT, stage: str, target: faust.TopicT, key: bytes, value: Any,
                      original: bytes | None, source: SourcePosition, on_sent=None) -> None:
        """Send ``value`` and ack ``event`` once Kafka has it; a failed send becomes a dead letter.

        Never raises: an agent that crashed would leave its record unacknowledged and block
        the partition's commits.
        """
        topic_name = names[target]
        try:
            data = codecs.dumps(CODEC_NAME, value)
        except Exception as exc:  # a record the codec cannot encode: dead-letter it
            await failed("encode for", exc, event, stage, target, key, original, source)
            return
        if eos is not None:
            await eos.send(event, stage, topic_name, key, data, on_sent)
            return
        delivered = pending_acks.get(id(event))
        if delivered is None:  # first attempt: take the event's place in its partition's ack order
            delivered = pending_acks[id(event)] = in_order.track(event)
        try:
            # Straight to the producer: Faust's Topic.send wraps every record in futures, pending
            # messages and a second serialisation pass (~4% of a worker's CPU) for nothing used here.
            fut = await app.producer.send(topic_name, key, data, None, None, None)
        except Exception as exc:  # producer stopped, record too large for the broker...
            await failed("send to", exc, event, stage, target, key, original, source)
            return
        _bound(m.IN_FLIGHT, stage).inc()

        def done(f: asyncio.Future) -> None:
            exc = _settled(f, stage, on_sent)
            if exc is None:
                pending_acks.pop(id(event), None)
                delivered()
                return
            log.error("send to %s failed for %s (key %r): %s; dead-lettering it", target.get_topic_name(),
                      _where(source), key, exc)
            if target is topics.dead_letter:
                return  # not acked: the record is replayed after a restart, never dropped
            dl = dead_letter(original, stage=stage, reason=Reason.INTERNAL_ERROR,
                             message=f"could not send to {target.get_topic_name()}: {type(exc).__name__}: {exc}",
                             source=source)
            asyncio.ensure_future(deliver(event, stage, topics.dead_letter, key, dl, None, source))

        fut.add_done_callback(done)

    def count(stage: str, result: Any) -> None:
        if isinstance(result, DeadLetter):
            m.RECORDS.labels(stage, "dead_letter").inc()
            m.DEAD_LETTERS.labels(result.stage, result.reason).inc()
            log.warning("dead-letter %s %s: %s (%s, article %s)", result.stage, result.reason, result.message,
                        _where(result.source), result.article_id)
        else:
            _bound(m.RECORDS, stage, "ok").inc()

    @app.agent(topics.raw, name="clean")
    async def clean_agent(stream: faust.StreamT) -> None:
        max_bytes = settings.max_record_bytes
        async for event in stream.noack().events():
            msg = event.message
            payload = event.value
            source = SourcePosition(topic=msg.topic, partition=msg.partition, offset=msg.offset,
                                    key=_key_text(event.key))
            m.ARTICLE_BYTES.observe(len(payload or b""))
            started = time.perf_counter()
            result = clean_stage(payload, source, max_bytes=max_bytes,
                                 ingested_at=from_epoch_ms(msg.timestamp * 1000 if msg.timestamp else None))
            _bound(m.STAGE_SECONDS, CLEAN).observe(time.perf_counter() - started)
            count(CLEAN, result)
            target = topics.dead_letter if isinstance(result, DeadLetter) else topics.cleaned
            key = _key(result, event.key)
            await deliver(event, CLEAN, target, key, result, payload, source)

    @app.agent(topics.cleaned, name="entities")
    async def entities_agent(stream: faust.StreamT) -> None:
        async for event in stream.noack().events():
            msg = event.message
            source = SourcePosition(topic=msg.topic, partition=msg.partition, offset=msg.offset,
                                    key=_key_text(event.key))
            started = time.perf_counter()
            result = entities_stage(event.value, source)
            _bound(m.STAGE_SECONDS, ENTITIES).observe(time.perf_counter() - started)
            count(ENTITIES, result)
            on_sent = None
            if isinstance(result, EnrichedArticle):
                for entity in result.entities:
                    _bound(m.ENTITIES, entity.type).inc()
                on_sent = _latency_observer(result.ingested_at)
                target = topics.enriched
            else:
                target = topics.dead_letter
            await deliver(event, ENTITIES, target, _key(result, event.key), result, event.value, source, on_sent)

    @app.page("/metrics")
    async def metrics_view(web: Any, request: Any) -> Any:
        # aiohttp refuses a charset inside content_type; the exposition format is UTF-8 anyway.
        return web.bytes(generate_latest(m.REGISTRY), content_type=CONTENT_TYPE_LATEST.split("; charset")[0])

    @app.page("/healthz")
    async def health_view(web: Any, request: Any) -> Any:
        ok = app.consumer is not None and not app.should_stop
        try:
            assigned = len(app.consumer.assignment())
        except Exception:  # consumer not started yet
            assigned = 0
        return web.json({"status": "ok" if ok else "stopping", "app_id": settings.app_id, "worker": worker_id,
                         "assigned_partitions": assigned, "rebalancing": bool(app.rebalancing)},
                        status=200 if ok else 503)

    @app.timer(interval=5.0)
    async def update_lag() -> None:
        """``news_consumer_lag``: log end offset minus the committed offset, per assigned partition."""
        try:
            await m.refresh_consumer_lag(app.consumer, (topics.raw.get_topic_name(), topics.cleaned.get_topic_name()))
        except Exception as exc:  # keep the last figures; the timestamp metric shows they are stale
            log.warning("could not refresh news_consumer_lag: %s: %s", type(exc).__name__, exc)

    # The story stage (enriched -> stories), self-contained: streams/stories/service.py.
    from ..stories import StoryConfig
    from ..stories.service import add_story_stage

    hours = settings.story_window_hours * 3600
    story_stage = add_story_stage(app, topics.enriched, settings.topic_prefix, store=settings.story_store,
                                  config=StoryConfig(window=hours, silence=hours))
    return NewsApp(app, topics, settings, clean_agent, entities_agent, story_stage)


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

    def track(self, event: EventT):
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


class EosDelivery:
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

    def __init__(self, app: faust.App) -> None:
        self.app = app
        self.gate = asyncio.Lock()
        self.offsets: dict[Any, int] = {}  # input tp -> next offset, for outputs in open transactions
        self.blocked: set[Any] = set()  # input tps whose transaction refused a send (until the next seek)
        self._installed: Any = None

    def _install(self) -> None:
        consumer = self.app.consumer
        if self._installed is not consumer:
            consumer.force_commit = self.commit  # Consumer.commit() (timer, rebalance, stop) calls it
            self._installed = consumer

    def reset(self) -> None:
        self.blocked.clear()

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
                _forget_acked(consumer, tp, offset)
            self.app.sensors.on_commit_completed(consumer, state)
            return True

    async def send(self, event: EventT, stage: str, topic: str, key: bytes, value: bytes, on_sent=None) -> None:
        self._install()
        msg = event.message
        tp = msg.tp
        app = self.app
        transactional_id = f"{app.conf.id}-?-{msg.partition}"
        async with self.gate:
            if tp in self.blocked:
                return  # not acked, not committed: replayed after the next seek to the committed offset
            try:
                transactional_id = f"{app.conf.id}-{app.assignor.group_for_topic(msg.topic)}-{msg.partition}"
                fut = await app.producer.send(topic, key, value, None, None, None, transactional_id=transactional_id)
            except Exception as exc:
                # No open transaction for this partition (revoked in a rebalance) or a broken one.
                self.blocked.add(tp)
                m.SEND_ERRORS.labels(stage).inc()
                log.warning("could not send to %s in transaction %s for %s: %s: %s (not acked; it will be "
                            "replayed)", topic, transactional_id, f"{msg.topic}[{msg.partition}]@{msg.offset}",
                            type(exc).__name__, exc)
                return
            self.offsets[tp] = msg.offset + 1
            event.ack()
        _bound(m.IN_FLIGHT, stage).inc()

        def done(f: asyncio.Future) -> None:
            exc = _settled(f, stage, on_sent)
            if exc is None:
                return
            log.error("send to %s failed in transaction %s: %s: %s; stopping the worker so that the "
                      "transaction is aborted and its input replayed", topic, transactional_id,
                      type(exc).__name__, exc)
            asyncio.ensure_future(app.crash(exc))

        fut.add_done_callback(done)


_BOUND: dict[tuple, Any] = {}


def _bound(metric: Any, *labels: str) -> Any:
    """``metric.labels(*labels)``, looked up once per label values: ``labels()`` costs ~2 µs and
    an article made ~14 such calls on the hot path (bookkeeping per article ~2x cheaper)."""
    key = (metric, labels)
    child = _BOUND.get(key)
    if child is None:
        child = _BOUND[key] = metric.labels(*labels)
    return child


def _settled(f: asyncio.Future, stage: str, on_sent=None) -> BaseException | None:
    """Bookkeeping for a finished send: in-flight gauge, send errors, the on-sent hook.
    Returns the send's exception (None when Kafka has the record)."""
    _bound(m.IN_FLIGHT, stage).dec()
    exc = f.exception() if not f.cancelled() else asyncio.CancelledError()
    if exc is None:
        if on_sent is not None:
            on_sent()
    else:
        m.SEND_ERRORS.labels(stage).inc()
    return exc


def _forget_acked(consumer: Any, tp: Any, offset: int) -> None:
    """Record ``offset`` as committed for ``tp`` in Faust's consumer and drop the ack bookkeeping
    below it (Faust would otherwise keep every acked offset: its own commit is not used)."""
    consumer._committed_offset[tp] = offset
    acked = consumer._acked.get(tp)
    if acked:
        done = [o for o in acked if o < offset]
        acked[:] = [o for o in acked if o >= offset]
        consumer._acked_index[tp].difference_update(done)
    gap = consumer._gap.get(tp)
    if gap:
        gap.chop(0, offset)


def _latency_observer(ingested_at: str | None):
    started = to_epoch_seconds(ingested_at)
    if started is None:
        return None
    return lambda: m.END_TO_END.observe(max(0.0, time.time() - started))


def _key(result: Any, original: bytes | None) -> bytes:
    article_id = getattr(result, "id", None) or getattr(result, "article_id", None)
    if article_id:
        return article_id.encode("utf-8")
    return original or b""


def _key_text(key: bytes | None) -> str | None:
    if key is None:
        return None
    return key.decode("utf-8", "replace")


def _where(source: SourcePosition) -> str:
    return f"{source.topic}[{source.partition}]@{source.offset}"
