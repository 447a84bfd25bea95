"""The sharded story stage on a real broker: two workers share four key shards.

``NEWS_STORY_SHARDS=4``, stage topics with 4 partitions: both workers run the scatter (on their
``enriched`` partitions) and key shards, so the shards see articles in orders of their own. Every
article must get a ``stories`` record (at-least-once: duplicates carry the same story), and the
records must equal :class:`StoryIndex` over the order in which the decider decided: that order
is recomputed by feeding the decider's input topic (``stories-answers``, one partition, in
order) through an in-process :class:`Decider`, and StoryIndex reads the records of ``enriched``.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import replace

import orjson
import pytest

from streams.kafka.io import produce
from streams.kafka.topics import ensure_topics
from streams.names import STORIES_ANSWERS
from streams.stories import StoryIndex
from streams.stories.shards import Decider

from .test_stream import _input
from .test_takeover import DEADLINE, _read_all, _start, _tails, wait_settled

pytestmark = pytest.mark.kafka


def _sent(worker, stage: str) -> float:
    import urllib.request

    text = urllib.request.urlopen(worker.metrics_url, timeout=5).read().decode()
    label = f'news_records_total{{outcome="ok",stage="{stage}"}}'
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(label))


def _decider_input(settings, by_id: dict) -> tuple[list, list]:
    """The decider's input topic in order, and the ``enriched`` records the stage read."""
    answers = asyncio.run(_read_all(settings, f"{settings.topic_prefix}{STORIES_ANSWERS}",
                                    lambda rs: len(rs) >= len(by_id), 30))
    enriched = asyncio.run(_read_all(settings, settings.topic("enriched"),
                                     lambda rs: {r.key.decode() for r in rs} >= by_id.keys(), 30))
    return answers, enriched


def check_stories(stories: list, answers: list, enriched: list, by_id: dict, workers: list):
    """Every article has a ``stories`` record, duplicates equal, each equal to StoryIndex over the
    order in which the decider decided (recomputed from its input topic)."""
    got: dict[str, list[dict]] = {}
    for r in stories:
        got.setdefault(r.key.decode(), []).append(orjson.loads(r.value)["story"])
    missing = sorted(by_id.keys() - got.keys())
    assert not missing, f"{len(missing)} of {len(by_id)} articles have no story: {missing[:5]}\n{_tails(*workers)}"
    assert all(s == v[0] for v in got.values() for s in v), "duplicates must carry the same story"
    decider = Decider(StoryIndex())
    order = list(dict.fromkeys(a.article_id for r in answers for a in decider.receive(orjson.loads(r.value))))
    order += [aid for aid in by_id if aid not in order]  # refused by the checks: answered by the scatter
    index = StoryIndex()
    records = {r.key.decode(): orjson.loads(r.value) for r in enriched}  # what the stage read
    wrong = [(aid, got[aid][0], want) for aid in order if got[aid][0] != (want := index.assign(records[aid]).to_dict())]
    assert not wrong, f"{len(wrong)} of {len(order)} differ from StoryIndex over the decider's order: {wrong[:3]}"
    return got, order, records


def test_two_workers_four_shards_give_story_index_answers(kafka_settings, shared_data, tmp_path) -> None:
    settings = replace(kafka_settings, stories_enabled=True, story_shards=4, broker_session_timeout=6.0,
                       broker_rebalance_timeout=10.0)
    asyncio.run(ensure_topics(settings))  # stories-keys with 4 partitions, stories-answers with 1
    _, chosen = _input(shared_data, tmp_path)
    by_id = {r["id"]: r for r in chosen}
    workers = [_start(settings, tmp_path, "worker-a"), _start(settings, tmp_path, "worker-b")]
    try:
        wait_settled(workers)
        report = asyncio.run(produce(settings, settings.topic("raw"),
                                     [(r["id"].encode(), orjson.dumps(r)) for r in chosen]))
        assert report.sent == len(chosen) and not report.failed
        stories = asyncio.run(_read_all(settings, settings.topic("stories"),
                                        lambda rs: {r.key.decode() for r in rs} >= by_id.keys(), DEADLINE))
        shard_work = [_sent(w, "stories-shard") for w in workers]
        answers, enriched = _decider_input(settings, by_id)
    finally:
        codes = {w.log_path.name: w.stop() for w in workers}
    got, order, records = check_stories(stories, answers, enriched, by_id, workers)
    assert min(shard_work) > 0, f"both workers must answer shard requests (shards shared): {shard_work}"
    assert max(Counter(v[0]["id"] for v in got.values()).values()) >= 2
    assert set(codes.values()) == {0}, _tails(*workers)
    published = sorted(order, key=lambda aid: (records[aid]["published_at"], aid))
    moved = sum(1 for a, b in zip(order, published) if a != b)
    print(f"\n[stories] 2 workers, 4 key shards: {len(by_id)} articles ({moved} decided out of published order), "
          f"{len(stories)} stories records "
          f"({len(stories) - len(by_id)} duplicates), shard requests answered per worker {shard_work}, every "
          f"story equal to StoryIndex over the decider's order")
