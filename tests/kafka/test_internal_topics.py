"""The story stage's request topic exists before the worker's consumer group is assigned."""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from streams.kafka.client import client_options
from streams.kafka.topics import MAX_MESSAGE_BYTES, ensure_topics

pytestmark = pytest.mark.kafka


async def _describe(settings, name: str) -> tuple[int, str] | None:
    admin = AIOKafkaAdminClient(**client_options(settings), request_timeout_ms=30000)
    await admin.start()
    try:
        if name not in set(await admin.list_topics()):
            return None
        [described] = await admin.describe_topics([name])
        [response] = await admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, name)])
        configs = {entry[0]: entry[1] for res in response.resources for entry in res[4]}
        return len(described["partitions"]), configs["max.message.bytes"]
    finally:
        await admin.close()


def test_stories_requests_is_created_with_the_stage_topics(kafka_settings):
    """Created by ``ensure_topics`` (the worker runs it before Faust starts), with one partition
    and the stage topics' record size limit; not when the story stage is off."""
    on = replace(kafka_settings, topic_prefix=kafka_settings.topic_prefix + "on.", stories_enabled=True)
    asyncio.run(ensure_topics(on))
    assert _eventually(on, f"{on.topic_prefix}stories-requests") == (1, str(MAX_MESSAGE_BYTES))

    off = replace(kafka_settings, topic_prefix=kafka_settings.topic_prefix + "off.", stories_enabled=False)
    asyncio.run(ensure_topics(off))
    assert _eventually(off, off.topic("enriched")) is not None  # created in the same request
    assert asyncio.run(_describe(off, f"{off.topic_prefix}stories-requests")) is None


def _eventually(settings, name: str, timeout: float = 15.0):
    """A new topic reaches the broker's metadata cache a moment after CreateTopics returns (KRaft)."""
    deadline = time.monotonic() + timeout
    while (found := asyncio.run(_describe(settings, name))) is None and time.monotonic() < deadline:
        time.sleep(0.5)
    return found
