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

from .test_index import MARKET, WIRE, article, mixed_articles


@pytest.fixture
def news():
    settings = replace(Settings(), kafka_bootstrap_servers="127.0.0.1:1", app_id="story-agent-test", stories_enabled=True)
    return create_app(settings)


async def test_story_agent_matches_the_in_process_index(news) -> None:
    records = [*mixed_articles(), article("b", "الرياض - واس: " + WIRE, "2015-08-10T09:00:00")]  # b redelivered
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


async def test_exactly_once_sends_each_requests_changelog_writes_with_its_record() -> None:
    """Under exactly_once the story tables' changelog writes leave with the ``stories`` record of
    the request that made them (one fan-out, one transaction), and replaying them rebuilds
    exactly the in-process index's state, deletions (tombstones) of expired stories included."""
    from streams.service.delivery import ExactlyOnce

    groups: list[list] = []

    async def deliver_all(self, outs) -> None:
        groups.append(outs)
        outs[0].event.ack()

    settings = replace(Settings(), kafka_bootstrap_servers="127.0.0.1:1", app_id="story-eos-test",
                       stories_enabled=True, processing_guarantee="exactly_once")
    records = [article("a", WIRE, "2015-08-09T17:30:00"), article("b", "الرياض - واس: " + WIRE, "2015-08-10T09:00:00"),
               article("c", MARKET.format(a=16.72, b="0.18%", c=9269.78, d=3.5, e=81), "2015-08-20T18:00:00")]
    with patch.object(ExactlyOnce, "deliver_all", deliver_all):
        # the stage alone, its delivery's deliver_all patched to collect each request's fan-out
        import faust

        from streams.service.app import faust_config
        from streams.stories.service import add_story_stage

        app = faust.App(settings.app_id, **faust_config(settings))
        stage = add_story_stage(app, settings, ExactlyOnce(app, settings.topic("dead-letter")))
        async with stage.story_agent.test_context() as ctx:
            for r in records:
                await ctx.put(key=r["id"].encode(), value=orjson.dumps(r))
            await asyncio.sleep(0.05)
    index = StoryIndex()
    expected = [index.assign(r).to_dict() for r in records]
    assert len(groups) == len(records)
    replayed: dict[str, dict] = {}
    for outs, story in zip(groups, expected):
        first, writes = outs[0], outs[1:]
        assert first.topic == "news.stories" and first.value.story == story
        assert writes and all(o.topic.endswith("-changelog") and o.partition == 0 for o in writes)
        for o in writes:
            table = replayed.setdefault(o.topic.split("-stories-")[1].removesuffix("-changelog"), {})
            key = orjson.loads(o.key)  # json keys, as Faust writes them
            if o.value is None:
                table.pop(key, None)
            else:
                table[key] = orjson.loads(orjson.dumps(o.value))  # the bytes as sent
    assert any(o.value is None for outs in groups for o in outs)  # "a"'s story expired when "c" came
    for name in ("articles", "stories", "keys", "meta", "buckets"):
        assert replayed.get(name, {}) == orjson.loads(orjson.dumps(dict(getattr(index, name)))), name


async def test_exactly_once_drops_an_event_handed_twice_since_the_assignment() -> None:
    """Faust can hand a partition's first records twice while a worker recovers its tables (the
    exactly-once story test saw them committed twice, every stage): the second copy is acked and
    dropped, its outputs are in a transaction already. A new assignment starts afresh."""
    from types import SimpleNamespace
    from unittest.mock import Mock

    from streams.service.delivery import ExactlyOnce

    delivery = ExactlyOnce(Mock(), "dead-letter")

    def event(offset: int):
        return SimpleNamespace(message=SimpleNamespace(tp=("raw", 0), offset=offset), ack=Mock())

    first, again, later = event(5), event(5), event(6)
    assert [delivery._again(e) for e in (first, again, later)] == [False, True, False]
    assert again.ack.called and not first.ack.called
    await delivery.on_partitions_assigned(None, {("raw", 0)})
    assert delivery._again(event(5)) is False  # after a rebalance Faust replays from the committed offset


async def test_at_least_once_acks_an_event_handed_twice_behind_its_first_copy() -> None:
    """The same redelivery under at-least-once: nothing is sent for the second copy, and it is
    acked in offset order, so never before the first copy's output is in Kafka."""
    from types import SimpleNamespace
    from unittest.mock import Mock

    from streams.records import SourcePosition
    from streams.service.delivery import AtLeastOnce, Outgoing

    delivery = AtLeastOnce(Mock(), "dead-letter")
    sent: list = []

    async def produce(out, data):
        sent.append(out)  # Kafka has not acknowledged it yet: out.ticket() not called
        return None

    delivery.produce = produce

    def event(offset: int):
        return SimpleNamespace(message=SimpleNamespace(tp=("raw", 0), offset=offset), ack=Mock())

    def out(e):
        return Outgoing(e, "clean", "cleaned", b"k", {"id": "k"}, b"{}", SourcePosition("raw", 0, e.message.offset))

    first, again = event(5), event(5)
    await delivery.deliver(out(first))
    await delivery.deliver(out(again))
    assert len(sent) == 1 and not first.ack.called and not again.ack.called
    sent[0].ticket()  # Kafka has the first copy's output
    assert first.ack.called and again.ack.called
    await delivery.on_partitions_assigned(None, {("raw", 0)})
    await delivery.deliver(out(event(5)))
    assert len(sent) == 2  # after a rebalance Faust replays from the committed offset


async def test_a_record_dropped_before_the_seek_is_delivered_after_it() -> None:
    """Faust dropped offsets 0-1 (partition not active yet) and handed 2; the seek brings 0-2 back:
    0 and 1 are delivered (they are not redeliveries), 2 only acked in order."""
    from types import SimpleNamespace
    from unittest.mock import Mock

    from streams.records import SourcePosition
    from streams.service.delivery import AtLeastOnce, Outgoing

    delivery = AtLeastOnce(Mock(), "dead-letter")
    sent: list = []

    async def produce(out, data):
        sent.append(out.event.message.offset)
        out.ticket()
        return None

    delivery.produce = produce
    for offset in (2, 0, 1, 2, 3):
        e = SimpleNamespace(message=SimpleNamespace(tp=("raw", 0), offset=offset), ack=Mock())
        await delivery.deliver(Outgoing(e, "clean", "cleaned", b"k", {"id": "k"}, b"{}",
                                        SourcePosition("raw", 0, offset)))
    assert sent == [2, 0, 1, 3]
