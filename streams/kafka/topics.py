"""Create the pipeline's topics up front, idempotently, with the partition count asked for.

Faust would create topics it sees on first use, but with the broker's default partition count
and none of the settings below; creating them here keeps partitioning (and so per-article order
across stages) under our control.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from ..names import STORIES_ANSWERS, STORIES_KEYS, STORIES_REQUESTS
from ..settings import STAGE_TOPICS, Settings
from .client import client_options

log = logging.getLogger(__name__)

#: Raw/cleaned/enriched records up to 16 MiB; dead letters (payload may be base64) up to 32 MiB.
MAX_MESSAGE_BYTES = 16 * 1024 * 1024
DEAD_LETTER_MAX_MESSAGE_BYTES = 32 * 1024 * 1024


@dataclass
class TopicStatus:
    name: str
    partitions: int
    created: bool


def topic_configs(stage: str) -> dict[str, str]:
    size = DEAD_LETTER_MAX_MESSAGE_BYTES if stage == "dead-letter" else MAX_MESSAGE_BYTES
    return {"max.message.bytes": str(size)}


def internal_topics(settings: Settings) -> dict[str, int]:
    """Topics of the stateful stages that an agent consumes, with their partition counts.

    Faust would create ``stories-requests`` itself when the worker starts, but on a 3-node
    cluster the consumer group's assignment then sometimes ran before every broker knew the new
    topic ("Ignoring missing topic"): the story agent got no partition and the worker stalled
    (the broker-failure fault test, 1 of 4 runs). Created here, before Faust starts, it is there.
    """
    if not settings.stories_enabled:
        return {}
    if settings.story_shards > 1:  # the sharded stage (NEWS_STORY_SHARDS)
        return {f"{settings.topic_prefix}{STORIES_KEYS}": settings.story_shards,
                f"{settings.topic_prefix}{STORIES_ANSWERS}": 1}
    return {f"{settings.topic_prefix}{STORIES_REQUESTS}": 1}


async def ensure_topics(settings: Settings, *, partitions: int | None = None) -> list[TopicStatus]:
    """Create every stage topic (and the enabled stages' internal ones) that does not exist yet;
    report what is there (the stage topics)."""
    partitions = partitions or settings.topic_partitions
    admin = AIOKafkaAdminClient(**client_options(settings), request_timeout_ms=30000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        wanted = {settings.topic(stage): stage for stage in STAGE_TOPICS}
        new = [
            NewTopic(name, num_partitions=partitions, replication_factor=settings.topic_replication,
                     topic_configs=topic_configs(stage))
            for name, stage in wanted.items() if name not in existing
        ] + [
            NewTopic(name, num_partitions=count, replication_factor=settings.topic_replication,
                     topic_configs=topic_configs(name))
            for name, count in internal_topics(settings).items() if name not in existing
        ]
        created: set[str] = set()
        if new:
            try:
                response = await admin.create_topics(new)
                for name, code, *rest in getattr(response, "topic_errors", getattr(response, "topic_error_codes", [])):
                    if code == 0:
                        created.add(name)
                    elif code != TopicAlreadyExistsError.errno:
                        raise RuntimeError(f"could not create topic {name}: error code {code} {rest}")
            except TopicAlreadyExistsError:
                pass
        for name in internal_topics(settings):
            if name in created:
                log.info("topic %s created (internal to a stateful stage)", name)
        described = await admin.describe_topics(list(wanted))
        counts = {d["topic"]: len(d["partitions"]) for d in described}
        statuses = [TopicStatus(name, counts.get(name, 0), name in created) for name in wanted]
        for status in statuses:
            if status.partitions != partitions and not status.created:
                log.warning("topic %s has %d partitions, not %d (existing topics are left as they are)",
                            status.name, status.partitions, partitions)
        return statuses
    finally:
        await admin.close()
