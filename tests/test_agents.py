"""The Faust agents, driven through ``agent.test_context()`` with sends captured."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from unittest.mock import patch

import orjson
import pytest

from streams.records import CleanedArticle, DeadLetter, EnrichedArticle
from streams.service.app import create_app
from streams.settings import Settings


class Capture:
    """Stands in for ``Topic.send``: records what was sent, resolves like a delivered record."""

    def __init__(self) -> None:
        self.sent: list[tuple[bytes, object]] = []

    async def __call__(self, key=None, value=None, **kwargs):
        self.sent.append((key, value))
        fut = asyncio.get_running_loop().create_future()
        fut.set_result(None)
        return fut


@pytest.fixture
def news():
    settings = replace(Settings(), kafka_bootstrap_servers="127.0.0.1:1", app_id="agent-test",
                       max_record_bytes=50_000)
    return create_app(settings)


async def _drive(agent, items):
    async with agent.test_context() as ctx:
        for key, value in items:
            await ctx.put(key=key, value=value)
        await asyncio.sleep(0.05)


async def test_clean_agent_routes_good_and_bad(news, seed_article):
    cleaned, dead = Capture(), Capture()
    with patch.object(news.topics.cleaned, "send", cleaned), patch.object(news.topics.dead_letter, "send", dead):
        await _drive(news.clean_agent, [
            (b"seed-0001", seed_article),
            (b"k2", b"{broken"),
            (b"k3", orjson.dumps({"id": "k3", "body": "x" * 60_000})),
            (None, b"\xff\xfe"),
        ])
    assert [k for k, _ in cleaned.sent] == [b"seed-0001"]
    assert isinstance(cleaned.sent[0][1], CleanedArticle) and cleaned.sent[0][1].text
    reasons = [(k, v.reason) for k, v in dead.sent]
    assert reasons == [(b"k2", "malformed_json"), (b"k3", "too_large"), (b"", "invalid_utf8")]
    assert all(isinstance(v, DeadLetter) and v.source.topic for _, v in dead.sent)


async def test_entities_agent_enriches_cleaned_json(news, seed_article):
    from streams.pipeline import clean_stage
    from streams.records import SourcePosition

    cleaned = clean_stage(seed_article, SourcePosition(), max_bytes=50_000)
    enriched, dead = Capture(), Capture()
    with patch.object(news.topics.enriched, "send", enriched), patch.object(news.topics.dead_letter, "send", dead):
        await _drive(news.entities_agent, [(b"seed-0001", orjson.dumps(cleaned)), (b"bad", b"[1]")])
    assert len(enriched.sent) == 1
    record = enriched.sent[0][1]
    assert isinstance(record, EnrichedArticle) and record.id == "seed-0001" and record.entities
    assert [(k, v.stage, v.reason) for k, v in dead.sent] == [(b"bad", "entities", "not_an_object")]
