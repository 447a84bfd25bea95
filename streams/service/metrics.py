"""Prometheus metrics. The names are a contract: dashboards and alert rules depend on them.

Labels stay bounded: stage (``clean``/``entities``/``ingest``), outcome, reason (the
:class:`~streams.errors.Reason` codes), entity type, topic and partition. Never ids or text.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector, PlatformCollector

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
WORKER_INFO = Gauge(
    "news_worker_info", "Constant 1, labelled with the worker's identity.", ["app_id", "worker"], registry=REGISTRY,
)
