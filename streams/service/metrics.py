"""Prometheus metrics. The names are a contract: dashboards and alert rules depend on them.

Labels stay bounded: stage (``clean``/``entities``/``ingest``), outcome, reason (the
:class:`~streams.errors.Reason` codes), entity type, topic and partition. Never ids or text.

Each worker process serves only its own series on its own port (``NEWS_WEB_PORT``); Prometheus
tells workers apart by the ``instance`` target label, and ``news_worker_info`` names the worker
(``host:port``, the pod name in Kubernetes). Lag is reported only for the partitions a worker
owns at the moment, so summing over workers never counts a partition twice.
"""

from __future__ import annotations

import time
from statistics import fmean
from typing import Any, Iterable, Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector, PlatformCollector
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from ..kafka.internals import committed_offset

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)
_STAGE_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5)
_SIZE_BUCKETS = (256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216)

RECORDS = Counter(
    "news_records", "Records handled by a stage, by outcome (ok, dead_letter).",
    ["stage", "outcome"], registry=REGISTRY,
)
STAGE_SECONDS = Histogram(
    "news_stage_seconds", "Time spent in a stage's pure function per record.",
    ["stage"], buckets=_STAGE_BUCKETS, registry=REGISTRY,
)
END_TO_END = Histogram(
    "news_end_to_end_latency_seconds",
    "From the raw record's Kafka timestamp to the enriched record being sent.",
    buckets=_LATENCY_BUCKETS, registry=REGISTRY,
)
ENTITIES = Counter("news_entities", "Entities found, by type.", ["type"], registry=REGISTRY)
DEAD_LETTERS = Counter(
    "news_dead_letters", "Records sent to the dead-letter topic, by stage and reason.",
    ["stage", "reason"], registry=REGISTRY,
)
CONSUMER_LAG = Gauge(
    "news_consumer_lag", "Records behind the log end for this worker's assigned partitions.",
    ["topic", "partition"], registry=REGISTRY,
)
ARTICLE_BYTES = Histogram(
    "news_article_bytes", "Size of raw records as received.", buckets=_SIZE_BUCKETS, registry=REGISTRY,
)
IN_FLIGHT = Gauge(
    "news_in_flight_records", "Records sent downstream but not yet acknowledged by Kafka.",
    ["stage"], registry=REGISTRY,
)
SEND_ERRORS = Counter(
    "news_send_errors", "Records whose send to Kafka failed (they are not committed and will be redelivered).",
    ["stage"], registry=REGISTRY,
)
REDELIVERED = Counter(
    "news_redeliveries", "Records Faust handed to an agent again since the assignment (while recovering "
    "tables), dropped: their first copy's outputs are sent or in a transaction already.", registry=REGISTRY,
)
WORKER_INFO = Gauge(
    "news_worker_info", "Constant 1, labelled with the worker's identity (host:port) and version.",
    ["app_id", "worker", "version"], registry=REGISTRY,
)
READY = Gauge(
    "news_worker_ready", "1 while the worker's /readyz would answer 200 (set at each scrape), 0 otherwise.",
    registry=REGISTRY,
)
ASSIGNED_PARTITIONS = Gauge(
    "news_assigned_partitions", "Partitions currently assigned to this worker, by topic (0: an idle replica).",
    ["topic"], registry=REGISTRY,
)
LAG_UPDATED = Gauge(
    "news_consumer_lag_updated_timestamp_seconds",
    "Unix time of the last successful news_consumer_lag refresh (stale: the lag figures are old).",
    registry=REGISTRY,
)

# The story stage (streams/stories/service.py): no story ids or names as labels.
STORIES_OPENED = Counter("news_stories_opened", "Stories opened (articles that start a story).",
                         registry=REGISTRY)
STORIES_JOINED = Counter("news_stories_joined", "Articles joined to an existing story.", registry=REGISTRY)
STORY_NEAR_COPIES = Counter("news_stories_near_copies", "Articles that are near copies of an earlier article.",
                      registry=REGISTRY)
STORY_UNINDEXED = Counter("news_stories_unindexed", "Articles given a story of their own without comparison, by reason "
                    "(empty_text, no_published_at, published_at_in_future, published_at_too_old, late, "
                    "internal_error).", ["reason"], registry=REGISTRY)
STORY_STATE = Gauge("news_stories_state_entries", "Entries in the story stage's tables, by table.", ["table"],
              registry=REGISTRY)
STORY_SECONDS = Histogram("news_stories_seconds", "Time to assign one article to a story.",
                          buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 1), registry=REGISTRY)


class FaustMonitorCollector(Collector):
    """A few figures from Faust's own monitor (``app.monitor``), read at scrape time.

    Only what an operator acts on: rebalances (churn), failed assignments, commit latency, events
    being processed right now, and how often a topic's buffer filled up (back-pressure).
    """

    def __init__(self) -> None:
        self.app: Any = None

    def attach(self, app: Any) -> None:
        self.app = app

    def _families(self) -> dict[str, Metric]:
        return {
            "rebalances": CounterMetricFamily(
                "news_faust_rebalances", "Rebalances this worker took part in (Faust monitor)."),
            "assignments_failed": CounterMetricFamily(
                "news_faust_assignments_failed", "Partition assignments that failed (Faust monitor)."),
            "commit_latency": GaugeMetricFamily(
                "news_faust_commit_latency_seconds", "Mean latency of the recent offset commits (Faust monitor)."),
            "events_active": GaugeMetricFamily(
                "news_faust_events_active", "Events being processed by agents right now (Faust monitor)."),
            "buffer_full": CounterMetricFamily(
                "news_faust_topic_buffer_full", "Times a topic's stream buffer was full: back-pressure (Faust monitor).",
                labels=["topic"]),
        }

    def describe(self) -> Iterator[Metric]:
        return iter(self._families().values())

    def collect(self) -> Iterator[Metric]:
        families = self._families()
        monitor = getattr(self.app, "monitor", None) if self.app is not None else None
        if monitor is not None:
            families["rebalances"].add_metric([], monitor.rebalances)
            families["assignments_failed"].add_metric([], monitor.assignments_failed)
            latencies = list(monitor.commit_latency or ())
            families["commit_latency"].add_metric([], fmean(latencies) if latencies else 0.0)
            families["events_active"].add_metric([], monitor.events_active)
            by_topic: dict[str, int] = {}
            for tp, n in (monitor.topic_buffer_full or {}).items():
                by_topic[tp.topic] = by_topic.get(tp.topic, 0) + n
            for topic, n in sorted(by_topic.items()):
                families["buffer_full"].add_metric([topic], n)
        return iter(families.values())


FAUST_MONITOR = FaustMonitorCollector()
REGISTRY.register(FAUST_MONITOR)


def set_worker_info(app_id: str, worker: str) -> None:
    """``news_worker_info{app_id, worker, version} 1`` for this process."""
    try:
        from importlib.metadata import version

        ver = version("news-streams")
    except Exception:
        ver = "unknown"
    WORKER_INFO.labels(app_id=app_id, worker=worker, version=ver).set(1)


async def refresh_consumer_lag(consumer: Any, topics: Iterable[str]) -> None:
    """Set ``news_consumer_lag`` (and ``news_assigned_partitions``) for the partitions of ``topics``
    that ``consumer`` owns (Faust's internal topics, such as the assignor's, are left out).

    lag = log end offset - committed offset, per partition:

    * the log end comes from a ListOffsets request (``consumer.highwaters``), not from the last
      fetch response, so a paused or starved partition still shows its true end (with
      ``exactly_once`` it is the last stable offset);
    * the committed offset is Faust's own (the next offset to consume, updated on each commit and
      read from the group on assignment); before the group's first commit on a partition it is
      the log start, since the app consumes from the earliest offset.

    Partitions this worker no longer owns are removed, so a sum over all workers counts each
    partition once. Raises on broker errors; the caller keeps the previous figures and
    ``news_consumer_lag_updated_timestamp_seconds`` shows their age.
    """
    wanted = set(topics)
    assigned = sorted(tp for tp in consumer.assignment() if tp.topic in wanted)
    counts: dict[str, int] = dict.fromkeys(sorted(wanted), 0)
    for tp in assigned:
        counts[tp.topic] = counts.get(tp.topic, 0) + 1
    for topic, n in counts.items():
        ASSIGNED_PARTITIONS.labels(topic).set(n)
    lags: dict[tuple[str, str], int] = {}
    if assigned:
        ends = await consumer.highwaters(*assigned)
        committed = {tp: committed_offset(consumer, tp) for tp in assigned}
        missing = [tp for tp, offset in committed.items() if offset is None]
        if missing:
            committed.update(await consumer.earliest_offsets(*missing))
        for tp in assigned:
            end, done = ends.get(tp), committed.get(tp)
            if end is not None and done is not None:
                lags[(tp.topic, str(tp.partition))] = max(0, end - done)
    for labels, lag in lags.items():
        CONSUMER_LAG.labels(*labels).set(lag)
    for labels in list(CONSUMER_LAG._metrics):
        if labels not in lags:
            CONSUMER_LAG.remove(*labels)
    LAG_UPDATED.set(time.time())


_BOUND: dict[tuple, Any] = {}


def bound(metric: Any, *labels: str) -> Any:
    """``metric.labels(*labels)``, looked up once per label values: ``labels()`` costs ~2 µs and
    an article made ~14 such calls on the hot path (bookkeeping per article ~2x cheaper)."""
    key = (metric, labels)
    child = _BOUND.get(key)
    if child is None:
        child = _BOUND[key] = metric.labels(*labels)
    return child


class HtmlFallbackCollector(Collector):
    """``news_html_fallbacks_total{cause}``: HTML articles whose text did not come from
    trafilatura, read at scrape time from :data:`streams.clean.html.FALLBACKS`.

    ``extractor_error`` means trafilatura raised on a page (the record carries an
    ``extraction_fallback`` removal saying why); a steady rise is a broken install or a page
    shape it cannot read. ``no_main_text`` (short fragments) is normal in small numbers.
    """

    CAUSES = ("extractor_error", "no_main_text")

    def _family(self) -> CounterMetricFamily:
        return CounterMetricFamily(
            "news_html_fallbacks", "HTML articles whose text came from the fallback extractor, by cause.",
            labels=["cause"])

    def describe(self) -> Iterator[Metric]:
        yield self._family()

    def collect(self) -> Iterator[Metric]:
        from ..clean.html import FALLBACKS

        family = self._family()
        for cause in self.CAUSES:
            family.add_metric([cause], FALLBACKS[cause])
        yield family


REGISTRY.register(HtmlFallbackCollector())
