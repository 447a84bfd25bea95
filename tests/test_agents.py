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


class Failing(Capture):
    """A producer whose sends to some topics fail: at once (``raise_on``) or when Kafka answers
    (``fail_on``: the returned future carries the error)."""

    def __init__(self, raise_on=(), fail_on=()) -> None:
        super().__init__()
        self.raise_on, self.fail_on = set(raise_on), set(fail_on)
        self.attempts: list[str] = []

    async def __call__(self, topic, key, value, partition=None, timestamp=None, headers=None, **kwargs):
        self.attempts.append(topic)
        if topic in self.raise_on:
            raise RuntimeError(f"refused by {topic}")
        if topic in self.fail_on:
            fut = asyncio.get_running_loop().create_future()
            fut.set_exception(RuntimeError(f"lost by {topic}"))
            return fut
        return await super().__call__(topic, key, value, partition, timestamp, headers, **kwargs)


@pytest.mark.parametrize("mode", ["raise_on", "fail_on"])
async def test_a_failed_send_becomes_one_internal_error_dead_letter(news, seed_article, mode):
    sends = Failing(**{mode: {"news.cleaned"}})
    with patch.object(news.app.producer, "send", sends):
        await _drive(news.clean_agent, [(b"seed-0001", seed_article)])
    assert sends.attempts == ["news.cleaned", "news.dead-letter"]
    [(key, dead)] = sends.sent["news.dead-letter"]
    assert key == b"seed-0001" and dead["stage"] == "clean" and dead["reason"] == "internal_error"
    assert dead["message"].startswith("could not send to news.cleaned: RuntimeError: ")
    assert orjson.loads(dead["payload"])["id"] == "seed-0001"  # the input, kept whole
    assert not any(news.delivery.acks._queues.values())  # the input was acked


async def test_a_dead_letter_that_cannot_be_sent_is_left_unacked(news, seed_article):
    sends = Failing(fail_on={"news.cleaned", "news.dead-letter"})
    with patch.object(news.app.producer, "send", sends):
        await _drive(news.clean_agent, [(b"seed-0001", seed_article)])
    assert sends.attempts == ["news.cleaned", "news.dead-letter"]  # once each: no loop
    assert [len(q) for q in news.delivery.acks._queues.values()] == [1]  # replayed after a restart


async def test_a_new_stage_is_a_few_lines(seed_article):
    """A stateful stage on the same loop: it sees every input, may send nothing (its input is still
    acked in order), or a record of its own; its name is the agent's name and the metric label."""
    from streams.service.agents import CLEAN, StageDef
    from streams.records import Removal

    def build_counter(app, settings):
        seen: dict[str, int] = {}

        def process(item):
            seen[item.source.key] = seen.get(item.source.key, 0) + 1
            return Removal(reason="seen", text=f"{item.source.key}:{seen[item.source.key]}") \
                if seen[item.source.key] > 1 else None
        return process

    counter = StageDef("counter", source="enriched", target="cleaned", build=build_counter)
    settings = replace(Settings(), kafka_bootstrap_servers="127.0.0.1:1", app_id="stage-test")
    news = create_app(settings, stages=(CLEAN, counter))
    assert set(news.agents) == {"clean", "counter"} and news.app.agents["counter"] is news.agents["counter"]
    sends = Capture()
    with patch.object(news.app.producer, "send", sends):
        await _drive(news.agents["counter"], [(b"a", b"{}"), (b"b", b"{}"), (b"a", b"{}")])
    assert sends.sent["news.cleaned"] == [(b"a", {"reason": "seen", "text": "a:2"})]
    assert not any(news.delivery.acks._queues.values())
