"""``NEWS_STORY_SHARDS=4``: the scatter (fan-out branch), key-shard and decider agents driven
through ``agent.test_context()``, their tables as stores; the answers are StoryIndex's."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import replace
from unittest.mock import patch

import orjson

from streams.service.app import create_app
from streams.settings import Settings
from streams.stories import StoryIndex
from streams.stories.sharded_service import ShardedStoryStage

from .test_index import mixed_articles


class Sends:
    """Stands in for the producer's ``send``: (key, JSON value or None, partition) by topic."""

    def __init__(self) -> None:
        self.sent: dict[str, list[tuple[bytes, dict | None, int | None]]] = defaultdict(list)

    async def __call__(self, topic, key, value, partition=None, timestamp=None, headers=None, **kwargs):
        self.sent[topic].append((key, None if value is None else orjson.loads(value), partition))
        fut = asyncio.get_running_loop().create_future()
        fut.set_result(None)
        return fut


async def _put(agent, items) -> None:
    async with agent.test_context() as ctx:
        for key, value, partition in items:
            await ctx.put(key=key, value=orjson.dumps(value), partition=partition)
        await asyncio.sleep(0.05)


async def test_scatter_shards_and_decider_agents_give_story_index_answers() -> None:
    settings = replace(Settings(), kafka_bootstrap_servers="127.0.0.1:1", app_id="story-shards-test",
                       stories_enabled=True, story_shards=4)
    news = create_app(settings)
    stage = news.story_stage
    assert isinstance(stage, ShardedStoryStage)
    records = mixed_articles()
    sends = Sends()
    with patch.object(news.app.producer, "send", sends):
        await _put(news.fanout, [(r["id"].encode(), r, None) for r in records])
        requests = list(sends.sent[stage.keys_topic])
        heads = list(sends.sent[stage.answers_topic])
        assert sorted({p for _, _, p in requests}) == [0, 1, 2, 3]  # an article's keys reach every shard
        assert [k for k, _, _ in heads] == [b"a", b"m1", b"b", b"m2"] and {p for _, _, p in heads} == {0}
        assert "sig" not in heads[0][1] and "sig" in requests[0][1]  # the decider never sees signatures
        await _put(stage.shard_agent, requests)
        answers = sends.sent[stage.answers_topic][len(heads):]
        assert len(answers) == len(requests)
        await _put(stage.story_agent, [(k, v, 0) for k, v, _ in heads + answers])
    out = {k.decode(): v["story"] for k, v, _ in sends.sent["news.stories"]}
    index = StoryIndex()
    assert out == {r["id"]: index.assign(r).to_dict() for r in records}
    assert out["b"]["id"] == "a" and out["b"]["duplicate_of"] == "a" and out["empty"]["reason"] == "empty_text"
    assert stage.tables["stories"]["a"]["count"] == 2
    shard_keys = {k.split("|")[0] for k in stage.shard_tables["keys"].keys()}
    assert shard_keys == {"0", "1", "2", "3"}  # the index is spread over the four shards
    assert not stage.decider.pending
