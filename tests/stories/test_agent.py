"""The story agent driven through ``agent.test_context()``: tables as stores, records as in process."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from unittest.mock import patch

import orjson
import pytest

from streams.service.app import create_app
from streams.settings import Settings
from streams.stories import StoryIndex
from tests.test_agents import Capture

from .test_index import MARKET, WIRE, article


@pytest.fixture
def news():
    settings = replace(Settings(), kafka_bootstrap_servers="127.0.0.1:1", app_id="story-agent-test", stories_enabled=True)
    return create_app(settings)


async def test_story_agent_matches_the_in_process_index(news) -> None:
    records = [
        article("a", WIRE, "2015-08-09T17:30:00"),
        article("m1", MARKET.format(a=16.72, b="0.18%", c=9269.78, d=3.5, e=81), "2015-08-09T18:00:00"),
        article("b", "الرياض - واس: " + WIRE, "2015-08-10T09:00:00"),
        article("empty", "", "2015-08-10T09:30:00"),
        article("m2", MARKET.format(a=43.16, b="0.46%", c=9381.01, d=4.1, e=95), "2015-08-10T18:00:00"),
        article("b", "الرياض - واس: " + WIRE, "2015-08-10T09:00:00"),  # redelivered: same answer
    ]
    sends = Capture()
    stage = news.story_stage
    with patch.object(news.app.producer, "send", sends):
        async with stage.story_agent.test_context() as ctx:
            for r in records:
                await ctx.put(key=r["id"].encode(), value=orjson.dumps(r))
            await asyncio.sleep(0.05)
    out = sends.sent["news.stories"]
    expected_index = StoryIndex()
    expected = [expected_index.assign(r).to_dict() for r in records]
    assert [k for k, _ in out] == [r["id"].encode() for r in records]
    assert [v["story"] for _, v in out] == expected
    assert [v["story"]["id"] for _, v in out] == ["a", "m1", "a", "empty", "m2", "a"]
    assert out[2][1]["story"]["duplicate_of"] == "a" and out[3][1]["story"]["reason"] == "empty_text"
    assert all(v["id"] == k.decode() and v["schema_version"] == "1" for k, v in out)
    assert set(stage.tables["articles"].keys()) == {"a", "m1", "b", "m2"}
    assert stage.tables["stories"]["a"]["count"] == 2


async def test_relay_forwards_enriched_bytes_unchanged(news) -> None:
    """The relay runs in the worker's one agent on enriched (streams/service/fanout.py)."""
    sends = Capture()
    record = article("a", WIRE, "2015-08-09T17:30:00")
    with patch.object(news.app.producer, "send", sends):
        async with news.fanout.test_context() as ctx:
            await ctx.put(key=b"a", value=orjson.dumps(record))
            await asyncio.sleep(0.05)
    assert sends.sent[news.story_stage.requests.get_topic_name()] == [(b"a", record)]
