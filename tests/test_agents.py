"""The Faust agents, driven through ``agent.test_context()`` with the producer's sends captured."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import fields, replace
from unittest.mock import patch

import orjson
import pytest

from streams.records import CleanedArticle, DeadLetter, EnrichedArticle
from streams.service.app import create_app
from streams.settings import Settings


class Capture:
    """Stands in for the producer's ``send``: records what each topic got (JSON decoded) and
    resolves like a delivered record."""

    def __init__(self) -> None:
        self.sent: dict[str, list[tuple[bytes, dict]]] = defaultdict(list)

    async def __call__(self, topic, key, value, partition=None, timestamp=None, headers=None, **kwargs):
        self.sent[topic].append((key, orjson.loads(value)))
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
    sends = Capture()
    with patch.object(news.app.producer, "send", sends):
        await _drive(news.clean_agent, [
            (b"seed-0001", seed_article),
            (b"k2", b"{broken"),
            (b"k3", orjson.dumps({"id": "k3", "body": "x" * 60_000})),
            (None, b"\xff\xfe"),
        ])
    cleaned, dead = sends.sent["news.cleaned"], sends.sent["news.dead-letter"]
    assert set(sends.sent) == {"news.cleaned", "news.dead-letter"}
    assert [k for k, _ in cleaned] == [b"seed-0001"]
    assert set(cleaned[0][1]) == {f.name for f in fields(CleanedArticle)} and cleaned[0][1]["text"]
    reasons = [(k, v["reason"]) for k, v in dead]
    assert reasons == [(b"k2", "malformed_json"), (b"k3", "too_large"), (b"", "invalid_utf8")]
    assert all(set(v) == {f.name for f in fields(DeadLetter)} and v["source"]["topic"] for _, v in dead)


async def test_entities_agent_enriches_cleaned_json(news, seed_article):
    from streams.pipeline import clean_stage
    from streams.records import SourcePosition

    cleaned = clean_stage(seed_article, SourcePosition(), max_bytes=50_000)
    sends = Capture()
    with patch.object(news.app.producer, "send", sends):
        await _drive(news.entities_agent, [(b"seed-0001", orjson.dumps(cleaned)), (b"bad", b"[1]")])
    enriched, dead = sends.sent["news.enriched"], sends.sent["news.dead-letter"]
    assert len(enriched) == 1
    record = enriched[0][1]
    assert set(record) == {f.name for f in fields(EnrichedArticle)}
    assert record["id"] == "seed-0001" and record["entities"]
    assert [(k, v["stage"], v["reason"]) for k, v in dead] == [(b"bad", "entities", "not_an_object")]
