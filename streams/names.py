"""The pipeline's vocabulary, in one place: topic names, stage names, dead-letter reasons.

All three are string enums, so a member *is* its wire value (``Topic.RAW == "raw"``,
``orjson.dumps(Stage.CLEAN) == b'"clean"'``) and doubles as a metric label value.

* :class:`Topic`: the suffix of each topic (``NEWS_TOPIC_PREFIX`` + suffix, see
  :meth:`streams.settings.Settings.topic`).
* :class:`Stage`: who refused a record; the ``stage`` field of a dead letter and the ``stage``
  label of the metrics. ``ingest`` is the edge of the clean stage (the raw record could not be
  read at all).
* :class:`~streams.errors.Reason`: why (defined beside :class:`~streams.errors.Rejected`).
"""

from __future__ import annotations

from enum import StrEnum

from .errors import Reason

__all__ = ["Reason", "Stage", "Topic"]


class Topic(StrEnum):
    RAW = "raw"
    CLEANED = "cleaned"
    ENRICHED = "enriched"
    DEAD_LETTER = "dead-letter"
    TRENDS_MENTIONS = "trends-mentions"  # enriched entities repartitioned by entity key (streams.trends)
    TRENDS = "trends"  # trend rows per (window, entity)
    STORIES = "stories"  # the story stage's output (streams/stories/service.py)


#: The story stage's internal request topic (``<prefix>stories-requests``): one partition, read by
#: the story agent. Not a :class:`Topic` (those have ``NEWS_TOPIC_PARTITIONS`` partitions); created
#: with the stage topics by :func:`streams.kafka.topics.ensure_topics`.
STORIES_REQUESTS = "stories-requests"
#: The sharded story stage's internal topics (``NEWS_STORY_SHARDS`` > 1, :mod:`streams.stories.sharded_service`):
#: ``stories-keys`` (one partition per key shard: an article's requests, by LSH band/term key) and
#: ``stories-answers`` (one partition: the shards' answers and each article's head, for the decider).
STORIES_KEYS = "stories-keys"
STORIES_ANSWERS = "stories-answers"


class Stage(StrEnum):
    INGEST = "ingest"
    CLEAN = "clean"
    ENTITIES = "entities"
    TRENDS = "trends"
