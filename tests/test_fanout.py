"""The one agent on ``enriched`` (streams/service/fanout.py): every enabled stateful stage's
outputs for a record, and the record acknowledged only once Kafka has all of them."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from unittest.mock import patch

import orjson
import pytest

from streams.service.app import create_app, written_topics
from streams.settings import Settings
from streams.trends.stage import decode_group, partition_of
from tests.test_agents import Capture, Failing, _drive


def _settings(**changes) -> Settings:
    return replace(Settings(), **{"kafka_bootstrap_servers": "127.0.0.1:1", "app_id": "fanout-test",
                                  "trends_enabled": True, "stories_enabled": True, **changes})


def _enriched(aid: str, names=("محمد بن سلمان", "الرياض", "واس")) -> dict:
    return {"id": aid, "published_at": "2015-08-09T17:30:00", "title": "عنوان", "text_normalized": "نص الخبر " * 20,
            "entities": [{"type": "PER", "text": n, "id": None, "name": None, "count": 1,
                          "mentions": [{"start": 0, "end": 1, "text": "x", "field": "text"}]} for n in names]}


def _subscribers(news, topic: str) -> list[str]:
    return [a.name for a in news.app.agents.values() if topic in set(a.channel.topics)]


@pytest.mark.parametrize("trends,stories", [(True, True), (True, False), (False, True)])
def test_one_agent_reads_enriched_whatever_stages_are_on(trends, stories) -> None:
    news = create_app(_settings(trends_enabled=trends, stories_enabled=stories))
    assert _subscribers(news, "news.enriched") == ["enriched-fanout"]
    assert (news.trends is not None, news.story_stage is not None) == (trends, stories)


def test_the_producer_tracks_every_topic_the_stages_write() -> None:
    """The fan-out writes ``stories-requests`` and ``trends-mentions``, the tables their changelogs:
    a topic missing from the tracked set drops out of the producer's metadata and a batch queued
    for it waits for ever (a worker with the story stage stalled so after a restart)."""
    news = create_app(_settings())
    names = written_topics(news.app, news.topics)
    wanted = {f"news.{t}" for t in ("raw", "cleaned", "enriched", "dead-letter", "stories", "stories-requests",
                                    "trends", "trends-mentions")}
    assert wanted <= names
    changelogs = {n for n in names if n.endswith("-changelog")}
    assert {f"fanout-test-stories-{t}-changelog" for t in ("articles", "stories", "keys", "buckets", "meta")} <= changelogs
    assert len(changelogs) == len(news.app.tables)


def test_no_agent_reads_enriched_without_stateful_stages() -> None:
    news = create_app(_settings(trends_enabled=False, stories_enabled=False))
    assert news.fanout is None and _subscribers(news, "news.enriched") == []


def test_exactly_once_runs_the_story_stage_with_transactional_tables_not_the_trend_stage() -> None:
    from streams.stories.service import TransactionalTable

    news = create_app(_settings(processing_guarantee="exactly_once"))
    assert news.trends is None and news.story_stage is not None
    assert _subscribers(news, "news.enriched") == ["enriched-fanout"]
    assert all(isinstance(t, TransactionalTable) for t in news.story_stage.tables.values())
    assert news.app._consumer is None  # built when the worker starts (fix_consumer), or Faust turns transactions off


@pytest.mark.parametrize("guarantee", ["exactly_once", "at_least_once"])
def test_the_consumer_fixes_come_with_the_worker(guarantee) -> None:
    """Faust reads "in a worker" once, when it builds the consumer: built by ``create_app``, an
    exactly-once consumer had no transactions (every send failed: "No transaction producer found")."""
    from streams.service.app import fix_consumer

    news = create_app(_settings(processing_guarantee=guarantee))
    news.app.in_worker = True  # what faust.Worker.on_start does before fix_consumer
    fix_consumer(news.app)
    thread = news.app.consumer._thread
    assert news.app.consumer.in_transaction is (guarantee == "exactly_once")
    assert getattr(thread, "_news_reads_changelog_ends", False) is (guarantee == "exactly_once")
    assert getattr(thread, "_news_seeks_fresh", False) is (guarantee == "at_least_once")

    early = create_app(_settings(processing_guarantee="exactly_once"))
    early.app.consumer  # noqa: B018  built before the worker runs
    early.app.in_worker = True
    with pytest.raises(RuntimeError, match="built before the worker started"):
        fix_consumer(early.app)


async def test_a_record_goes_to_every_stage_and_is_acked_once_all_are_in_kafka() -> None:
    news = create_app(_settings())
    record = _enriched("a")
    sends = Capture()
    with patch.object(news.app.producer, "send", sends):
        await _drive(news.fanout, [(b"a", orjson.dumps(record)), (b"b", orjson.dumps(_enriched("b", ())))])
    # stories: the bytes unchanged; trends: nothing for an article without entities
    assert sends.sent["news.stories-requests"] == [(b"a", record), (b"b", _enriched("b", ()))]
    # trends: one record per partition its entities go to, keyed by the first entity key there
    mentions = sends.sent["news.trends-mentions"]
    keys = {f"PER:{n}" for n in ("محمد بن سلمان", "الرياض", "واس")}
    got = {o.key for _, value in mentions for o in decode_group(orjson.dumps(value))}
    assert got == keys and len(mentions) == len({partition_of(k, 4) for k in keys})
    assert not any(news.delivery.acks._queues.values())  # both inputs acked


class Held(Capture):
    """Sends that Kafka has not acknowledged yet: the test resolves them one by one."""

    def __init__(self) -> None:
        super().__init__()
        self.pending: list[asyncio.Future] = []

    async def __call__(self, topic, key, value, partition=None, timestamp=None, headers=None, **kwargs):
        await super().__call__(topic, key, value, partition, timestamp, headers, **kwargs)
        fut = asyncio.get_running_loop().create_future()
        self.pending.append(fut)
        return fut


async def test_the_input_waits_for_its_last_output() -> None:
    news = create_app(_settings())
    sends = Held()
    with patch.object(news.app.producer, "send", sends):
        async with news.fanout.test_context() as ctx:
            event = await ctx.put(key=b"a", value=orjson.dumps(_enriched("a")))
            await asyncio.sleep(0.05)
            assert len(sends.pending) >= 2  # trends-mentions record(s) and the stories request
            for fut in sends.pending[:-1]:
                fut.set_result(None)
                await asyncio.sleep(0)
                assert not event.message.acked
            sends.pending[-1].set_result(None)
            await asyncio.sleep(0)
            assert event.message.acked


async def test_a_failed_output_is_dead_lettered_and_the_others_still_go() -> None:
    news = create_app(_settings())
    sends = Failing(fail_on={"news.stories-requests"})
    with patch.object(news.app.producer, "send", sends):
        await _drive(news.fanout, [(b"a", orjson.dumps(_enriched("a")))])
    [(key, dead)] = sends.sent["news.dead-letter"]
    assert key == b"a" and dead["stage"] == "stories-relay" and dead["reason"] == "internal_error"
    assert sends.sent["news.trends-mentions"]
    assert not any(news.delivery.acks._queues.values())  # acked: the dead letter stands for the lost output


async def test_an_output_that_cannot_be_sent_nor_dead_lettered_leaves_the_input_unacked() -> None:
    news = create_app(_settings())
    sends = Failing(fail_on={"news.trends-mentions", "news.dead-letter"})
    with patch.object(news.app.producer, "send", sends):
        await _drive(news.fanout, [(b"a", orjson.dumps(_enriched("a")))])
    assert sends.sent["news.stories-requests"]
    assert [len(q) for q in news.delivery.acks._queues.values()] == [1]  # replayed after a restart


async def test_a_stage_that_raises_costs_a_dead_letter_not_the_other_stages() -> None:
    news = create_app(_settings())
    sends = Capture()
    with patch("streams.trends.stage.extract", side_effect=RuntimeError("boom")), \
            patch.object(news.app.producer, "send", sends):
        await _drive(news.fanout, [(b"a", orjson.dumps(_enriched("a")))])
    [(key, dead)] = sends.sent["news.dead-letter"]
    assert key == b"a" and (dead["stage"], dead["reason"]) == ("trends-split", "internal_error")
    assert dead["message"] == "RuntimeError: boom" and orjson.loads(dead["payload"])["id"] == "a"
    assert [k for k, _ in sends.sent["news.stories-requests"]] == [b"a"]
    assert "news.trends-mentions" not in sends.sent
    assert not any(news.delivery.acks._queues.values())
