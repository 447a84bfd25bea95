"""Prometheus metrics of the trend stage (in the worker's registry). No entity names or ids as
labels: trends live in the ``trends`` topic and the ``/trends`` view, not in Prometheus."""

from __future__ import annotations

from prometheus_client import Counter, Gauge

from ..service.metrics import REGISTRY

ARTICLES = Counter(
    "news_trends_articles", "Enriched articles read by the trend stage, by where their event time came from "
    "(published_at, ingested_at, none: refused).", ["event_time"], registry=REGISTRY,
)
DROPPED = Counter(
    "news_trends_dropped", "Articles or entities the trend stage did not count, by reason (malformed_json, no_id, "
    "no_event_time, future, no_entities, bad_entity, too_many_entities).", ["reason"], registry=REGISTRY,
)
OBSERVATIONS = Counter(
    "news_trends_observations", "(entity, article) pairs reaching the counter, by outcome: counted, duplicate "
    "(already counted: a replay), late (beyond the allowed lateness: dropped).", ["outcome"], registry=REGISTRY,
)
ROWS = Counter(
    "news_trends_rows", "Trend rows sent to the trends topic: close (window closed, or expiring with late changes), "
    "update (late articles changed it; coalesced per second), restore (re-sent after a restart or rebalance).", ["kind"], registry=REGISTRY,
)
STATE = Gauge(
    "news_trends_state_entries", "Entries held by this worker's trend state: seen ((entity, article) pairs), "
    "windows ((window, entity) counts), history (archived baselines).", ["kind"], registry=REGISTRY,
)
WATERMARK = Gauge(
    "news_trends_watermark_timestamp_seconds", "Event-time watermark (newest counted event time) per owned "
    "partition of the trends-mentions topic.", ["partition"], registry=REGISTRY,
)
