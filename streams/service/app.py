"""Settings -> the Faust app: configuration, topics, and the wiring of agents, delivery and web.

``raw`` --clean--> ``cleaned`` --entities--> ``enriched``; either agent may route a record to
``dead-letter`` instead. The stateful stages read ``enriched`` through one agent
(``enriched-fanout``: ``trends-mentions``, ``stories-requests``). Where things are:

    app.py        this file: :func:`create_app` builds the app from :class:`~streams.settings.Settings`
    agents.py     the stages the worker runs (:data:`~streams.service.agents.STAGES`) and the one
                  stage loop every agent uses; start there to add a stage
    delivery.py   at-least-once / exactly-once: sending outputs and acknowledging inputs
    fanout.py     the one agent on ``enriched`` that feeds every enabled stateful stage
    web.py        ``/metrics``, ``/healthz`` (liveness), ``/readyz`` (readiness), the lag timer
    metrics.py    the Prometheus metrics (names are a contract)
    logs.py       logging configuration (JSON or text, secrets redacted)

The app is built by a factory rather than at import time because its topic names, consumer group
and guarantee come from the settings (tests build several apps in one process). Agents are
module-level definitions (:mod:`~streams.service.agents`) registered under their stage's name
(``news.app.agents["clean"]``); lifecycle goes through Faust's named signals
(``on_partitions_revoked``, ``on_partitions_assigned``), connected here.
"""

from __future__ import annotations

import gc
import logging
import socket
from dataclasses import dataclass, field
from typing import Any

import faust
from faust.types.enums import ProcessingGuarantee

from .. import codec  # noqa: F401  (registers the orjson codec)
from ..kafka import internals
from ..kafka.client import ssl_context
from ..kafka.topics import DEAD_LETTER_MAX_MESSAGE_BYTES
from ..names import Stage, Topic
from ..pipeline import warm_up
from ..settings import Settings
from . import metrics as m
from .agents import STAGES, StageDef, stage_agent
from .delivery import Delivery, create_delivery
from .fanout import Branch, add_fanout
from .web import Health, install

log = logging.getLogger("streams.worker")


@dataclass
class NewsApp:
    """The Faust app plus the handles that tests and the CLI need."""

    app: faust.App
    topics: dict[str, faust.TopicT]  # by Topic (``raw``, ``cleaned``, ...)
    settings: Settings
    delivery: Delivery
    health: Health
    agents: dict[str, Any] = field(default_factory=dict)  # by stage name
    trends: Any = None  # streams.trends.stage.TrendStage, when NEWS_TRENDS is on
    story_stage: Any = None  # StoryStage, or ShardedStoryStage with NEWS_STORY_SHARDS > 1 (enriched -> stories)
    fanout: Any = None  # the one agent on enriched for the stages above (None when both are off)

    @property
    def clean_agent(self) -> Any:
        return self.agents[Stage.CLEAN]

    @property
    def entities_agent(self) -> Any:
        return self.agents[Stage.ENTITIES]


class Worker(faust.Worker):
    """Faust's worker without its terminal spinner, with the consumer fixes of
    :func:`fix_consumer` installed once the worker starts.

    Faust hooks the spinner to the root logger by setting the root level to DEBUG (the handler
    stays at ``--loglevel``), so every ``log.debug`` in Faust and aiokafka, several per record
    sent, built a LogRecord that was then thrown away: ~3% of a worker's CPU. Without the
    spinner the root logger keeps ``--loglevel`` and the worker prints "Ready" when it starts.
    """

    def on_setup_root_logger(self, logger: logging.Logger, level: int) -> None:
        self.spinner = None

    async def on_start(self) -> None:
        await super().on_start()  # sets app.in_worker; the app and its consumer start after this
        fix_consumer(self.app)

    async def on_startup_finished(self) -> None:
        """Once started (models loaded, app, consumer and producer built), move every object alive
        into the collector's permanent generation: a full collection then no longer walks the
        models, modules and Faust's services, only what was made while processing."""
        await super().on_startup_finished()
        freeze_long_lived()


def fix_consumer(app: faust.App) -> None:
    """Install :mod:`streams.kafka.internals`' fixes on the app's consumer (it is built here):
    under exactly_once the tables' recovery reads the changelogs' end offsets from the broker,
    under at-least-once the seek to the committed offsets rewinds never-committed partitions.

    Only once the worker runs: Faust decides whether the consumer uses transactions when it
    builds it (``app.in_transaction``: exactly_once *and* in a worker, read once and cached).
    A consumer built before, when ``create_app`` installed the rewind, had exactly_once off on
    Faust's side (read_uncommitted, no transactional producers started), so every send of the
    exactly-once delivery failed ("No transaction producer found") and the worker put out nothing."""
    consumer = app.consumer
    if consumer.in_transaction != (app.conf.processing_guarantee == ProcessingGuarantee.EXACTLY_ONCE):
        raise RuntimeError("Faust's consumer was built before the worker started: its transactions do not match "
                           f"processing_guarantee={app.conf.processing_guarantee}")
    if consumer.in_transaction:
        internals.read_changelog_ends_from_broker(app)
    else:  # at-least-once only: tried under exactly_once, one crash run with it lost 15 articles (README "Guarantees")
        internals.seek_fresh_partitions_to_start(app)


def freeze_long_lived() -> int:
    """``gc.collect()`` then ``gc.freeze()``; returns the number of objects frozen (they are never
    collected: only for what lives as long as the process)."""
    gc.collect()
    gc.freeze()
    frozen = gc.get_freeze_count()
    log.info("%d long-lived objects frozen out of the garbage collector's passes", frozen)
    return frozen


def faust_config(settings: Settings) -> dict[str, Any]:
    """The Faust configuration for ``settings``."""
    brokers = [f"kafka://{h.strip()}" for h in settings.kafka_bootstrap_servers.split(",") if h.strip()]
    return dict(
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
        producer_linger_ms=settings.producer_linger_ms,
        producer_max_batch_size=settings.producer_batch_bytes,
        broker_max_poll_records=settings.consumer_max_poll_records or None,
        consumer_max_fetch_size=settings.consumer_fetch_bytes,
        stream_buffer_maxsize=settings.stream_buffer,
        consumer_auto_offset_reset="earliest",
        web_bind=settings.web_host,
        web_host=settings.web_host,
        web_port=settings.web_port,
        datadir=settings.data_dir,
        store="memory://",
        topic_disable_leader=False,
        Worker=Worker,
    )


def create_app(settings: Settings | None = None, *, stages: tuple[StageDef, ...] = STAGES,
               **overrides: Any) -> NewsApp:
    """Build the worker's app: ``stages`` (default: clean, entities) with their topics, the
    delivery for ``NEWS_PROCESSING_GUARANTEE``, the web pages. ``overrides`` go to Faust's config."""
    settings = settings or Settings.from_env()
    warm_up()
    app = faust.App(settings.app_id, **{**faust_config(settings), **overrides})

    # Agents read raw bytes, so a payload Faust could not decode still reaches a stage and becomes a
    # dead letter rather than a log line.
    names = {str(t) for t in Topic} | {str(s.source) for s in stages} | {str(s.target) for s in stages}
    topics = {name: app.topic(settings.topic(name), key_type=bytes, value_type=bytes, key_serializer="raw",
                              value_serializer="raw", partitions=settings.topic_partitions)
              for name in sorted(names)}
    dead_letter = settings.topic(Topic.DEAD_LETTER)

    worker_id = f"{socket.gethostname()}:{settings.web_port}"
    m.set_worker_info(settings.app_id, worker_id)
    m.FAUST_MONITOR.attach(app)

    delivery = create_delivery(app, dead_letter, exactly_once=settings.exactly_once)
    inputs = [settings.topic(s.source) for s in stages]
    health = Health(app, app_id=settings.app_id, worker_id=worker_id, input_topics=inputs)
    for hooks in (delivery, health):
        app.on_partitions_revoked.connect(hooks.on_partitions_revoked)
        app.on_partitions_assigned.connect(hooks.on_partitions_assigned)

    news = NewsApp(app, topics, settings, delivery, health)
    for stage in stages:
        fun = stage_agent(stage, stage.build(app, settings), delivery, target=settings.topic(stage.target),
                          dead_letter=dead_letter)
        news.agents[str(stage.name)] = app.agent(topics[str(stage.source)], name=str(stage.name))(fun)

    news.trends = _trends(app, settings, topics)
    news.story_stage = _story_stage(app, settings, delivery)
    branches = []
    if news.trends is not None:
        branches.append(Branch("trends-split", news.trends.split))
    if news.story_stage is not None:
        branches.append(Branch("stories-relay", news.story_stage.relay))
    news.fanout = add_fanout(app, topics[str(Topic.ENRICHED)], branches, delivery, dead_letter_topic=dead_letter)
    install(app, health, lag_topics=inputs)
    _track_written_topics(app, topics)  # the consumer fixes come when the worker starts (fix_consumer)
    health.models_loaded = True  # warm_up() above loaded every model
    return news


def _track_written_topics(app: faust.App, topics: dict[str, faust.TopicT]) -> None:
    """Once started (tables recovered, changelogs created), the producer's metadata covers every
    topic and changelog (see :func:`streams.kafka.internals.track_topics`: without it a worker
    could stall on a batch whose topic dropped out of aiokafka's metadata)."""

    @app.task
    async def track_written_topics() -> None:
        tracked = await internals.track_topics(app.producer, written_topics(app, topics))
        log.info("producer metadata tracks %d topics: %s", len(tracked), ", ".join(sorted(tracked)))


def written_topics(app: faust.App, topics: dict[str, faust.TopicT]) -> set[str]:
    """Every topic a worker may write: the stage topics, every topic an agent subscribes to (a
    stage's internal repartition topic such as ``stories-requests``) and the tables' changelogs.
    A topic left out here drops out of the producer's metadata at the next refresh, and a batch
    queued for it then waits for ever (a story stage that stalled after a restart, 2026-11-30)."""
    names = {t.get_topic_name() for t in topics.values()}
    names |= {name for agent in app.agents.values() for name in agent.channel.topics}
    names |= {name for topic in app.topics for name in topic.topics}  # what the conductor subscribed
    names |= {table.changelog_topic.get_topic_name() for table in app.tables.values()}
    return names


def _trends(app: faust.App, settings: Settings, topics: dict[str, faust.TopicT]) -> Any:
    """The trend stage (:mod:`streams.trends.stage`): its counting agent, tables and ``/trends``
    page (its split of ``enriched`` runs in the fan-out agent); at-least-once only."""
    if not settings.trends_enabled:
        return None
    if settings.exactly_once:
        log.warning("the trend stage does not run with NEWS_PROCESSING_GUARANTEE=exactly_once (NEWS_TRENDS ignored)")
        return None
    from ..trends.stage import register

    return register(app, settings, mentions=topics[Topic.TRENDS_MENTIONS], trends=topics[Topic.TRENDS])


def _story_stage(app: faust.App, settings: Settings, delivery: Delivery) -> Any:
    """The story stage (README "Stories"): the story agent on the stage loop, tables, views (its
    relay of ``enriched`` runs in the fan-out agent). Under ``exactly_once`` its tables' changelog
    writes go into the request's transaction (:class:`~streams.stories.service.TransactionalTable`)
    and the recovery reads the changelogs' end offsets from the broker
    (:func:`~streams.kafka.internals.read_changelog_ends_from_broker`)."""
    if not settings.stories_enabled:
        return None
    from ..stories import StoryConfig

    hours = settings.story_window_hours * 3600
    config = StoryConfig(window=hours, silence=hours)
    if settings.story_shards > 1:  # the index split over NEWS_STORY_SHARDS partitions (README "Stories")
        from ..stories.sharded_service import add_sharded_story_stage

        return add_sharded_story_stage(app, settings, delivery, config=config)
    from ..stories.service import add_story_stage

    return add_story_stage(app, settings, delivery, config=config)


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
