"""The sharded story stage (scatter, key shards, decider; :mod:`streams.stories.shards`) gives
StoryIndex's answers, and under any interleaving decides every article exactly once."""

from __future__ import annotations

import hashlib
import random
import zlib
from collections import Counter, deque

import orjson
import pytest

from streams.stories import StoryConfig, StoryIndex
from streams.stories.evaluate import published_order
from streams.stories.index import HOUR
from streams.stories.shards import Decider, KeyShard, Scatter, ShardedStories

from .test_index import WIRE, article

NOW = 2e9  # a fixed clock: "in the future" must not depend on today


@pytest.fixture(scope="module")
def corpus(shared_data) -> list[dict]:
    """The whole shared Arabic corpus, cleaned and enriched in process, in published order."""
    from streams.pipeline import process_payload
    from streams.records import EnrichedArticle, SourcePosition

    out = []
    for number, line in enumerate((shared_data / "ar-saudinewsnet-6k.jsonl").read_bytes().splitlines(), 1):
        result = process_payload(line, SourcePosition(file="corpus", line=number), max_bytes=2_000_000)
        if isinstance(result, EnrichedArticle):
            out.append(orjson.loads(orjson.dumps(result)))
    return published_order(r for r in out if r.get("published_at"))


def digest(stories: list[dict]) -> str:
    sha = hashlib.sha256()
    for s in stories:
        sha.update(orjson.dumps(s, option=orjson.OPT_SORT_KEYS) + b"\n")
    return sha.hexdigest()


def test_any_number_of_shards_gives_story_index_answers_over_the_corpus(corpus) -> None:
    index = StoryIndex(now=lambda: NOW)
    expected = [{"id": r["id"], "story": index.assign(r).to_dict()} for r in corpus]
    assert max(Counter(e["story"]["id"] for e in expected).values()) >= 5, "the corpus has multi-article stories"
    for n in (1, 2, 4, 8):
        sharded = ShardedStories(n, now=lambda: NOW)
        got = [{"id": r["id"], "story": sharded.assign(r).to_dict()} for r in corpus]
        if digest(got) != digest(expected):
            differ = [(e, g) for e, g in zip(expected, got) if e != g]
            raise AssertionError(f"{n} shards: {len(differ)} of {len(got)} story objects differ, e.g. {differ[:2]}")
        if n == 8:  # no one place holds all the state
            keys = [len(s.index.keys) for s in sharded.key_shards]
            assert max(keys) < 0.25 * sum(keys), keys
            assert not sharded.decider.index.keys
            assert all("sig" not in a for a in sharded.decider.index.articles.values())
            assert len(sharded.decider.index.stories) == len(index.stories)


class Network:
    """The roles with Kafka's ordering only: each shard's requests in the order they were sent to
    it (a partition), the decider's messages in the order they were sent (one partition), and the
    ``scatterers`` (fan-out workers, each with its own articles in order) interleaved at random."""

    def __init__(self, articles: list[dict], *, scatterers: int, shards: int, config: StoryConfig, seed: int):
        self.rng = random.Random(seed)
        self.inputs = [deque(a for a in articles if zlib.crc32(a["id"].encode()) % scatterers == w)
                       for w in range(scatterers)]
        self.scatter = Scatter(shards, config, lambda: NOW)
        self.shards = [KeyShard(p, StoryIndex(config, now=lambda: NOW)) for p in range(shards)]
        self.decider = Decider(StoryIndex(config, now=lambda: NOW))
        self.to_shard: list[deque] = [deque() for _ in range(shards)]
        self.to_decider: deque = deque()
        self.decided: list[tuple[str, dict]] = []

    def run(self) -> None:
        wire = lambda m: orjson.loads(orjson.dumps(m))  # noqa: E731
        while True:
            steps = ([("scatter", w) for w, q in enumerate(self.inputs) if q]
                     + [("shard", p) for p, q in enumerate(self.to_shard) if q]
                     + ([("decide", 0)] if self.to_decider else []))
            if not steps:
                return
            kind, n = self.rng.choice(steps)
            if kind == "scatter":
                s = self.scatter.split(self.inputs[n].popleft())
                if s.own is not None:
                    self.decided.append((s.article_id, s.own.to_dict()))
                    continue
                self.to_decider.append(wire(s.head))
                for p, req in s.requests:
                    self.to_shard[p].append(wire(req))
            elif kind == "shard":
                self.to_decider.append(wire(self.shards[n].answer(self.to_shard[n].popleft())))
            else:
                self.decided += [(a.article_id, a.to_dict()) for a in self.decider.receive(self.to_decider.popleft())]


@pytest.fixture(scope="module")
def busy_days(corpus) -> list[dict]:
    """800 consecutive articles of the corpus (about two and a half days), in published order."""
    start = next(i for i, r in enumerate(corpus) if r["published_at"] >= "2015-08-08T00:00")
    return corpus[start:start + 800]


@pytest.mark.parametrize("seed", range(4))
def test_random_interleavings_decide_every_article_once_as_story_index_would(busy_days, seed) -> None:
    net = Network(busy_days, scatterers=3, shards=4, config=StoryConfig(), seed=seed)
    net.run()
    times = Counter(aid for aid, _ in net.decided)
    assert set(times) == {r["id"] for r in busy_days} and set(times.values()) == {1}, times.most_common(3)
    assert not net.decider.pending and not net.decider.index.meta.get("gathered")  # no article left waiting
    # the decisions equal StoryIndex's over the order in which the decider made them
    by_id = {r["id"]: r for r in busy_days}
    index = StoryIndex(now=lambda: NOW)
    differ = [(aid, story, want) for aid, story in net.decided if story != (want := index.assign(by_id[aid]).to_dict())]
    assert not differ, f"{len(differ)} of {len(busy_days)} differ, e.g. {differ[:2]}"
    stories = Counter(s["id"] for _, s in net.decided)
    assert max(stories.values()) >= 3


def test_state_is_bounded_by_the_window_under_interleaving(busy_days) -> None:
    config = StoryConfig(window=6 * HOUR, silence=6 * HOUR)
    net = Network(busy_days, scatterers=3, shards=4, config=config, seed=7)
    net.run()
    assert len(net.decided) == len(busy_days) and not net.decider.pending
    slack = config.window + 2 * HOUR  # a sweep every event-time hour, buckets of an hour
    for role in [s.index for s in net.shards] + [net.decider.index]:
        mark = role.meta["watermark"]
        assert role.counters["articles_expired"] > 0
        assert all(a["t"] >= mark - slack for a in role.articles.values())
        assert all(t >= mark - slack for entries in role.keys.values() for _, t in entries)
        assert all(s["last_seen"] >= mark - slack for s in role.stories.values())
        assert len(role.buckets) <= config.window / HOUR + 3


def test_two_copies_seen_in_opposite_orders_by_two_shards_end_in_one_story() -> None:
    """A and B, a near copy, reach shard 0 as A, B and shard 1 as B, A: each names the other, the
    decider breaks the cycle by published_at (A first) and B joins A's story as its near copy."""
    a = article("a", WIRE, "2015-08-09T17:30:00", "320 مليونا اجمالي مشروعات البيع علي الخارطه", source="x")
    b = article("b", "الرياض - واس: " + WIRE, "2015-08-09T17:31:00", "مشروعات البيع علي الخارطه", source="y")
    scatter = Scatter(2, now=lambda: NOW)
    shards = [KeyShard(p, StoryIndex(now=lambda: NOW)) for p in range(2)]
    decider = Decider(StoryIndex(now=lambda: NOW))
    sa, sb = scatter.split(a), scatter.split(b)
    assert [p for p, _ in sa.requests] == [p for p, _ in sb.requests] == [0, 1]
    answers = [shards[0].answer(sa.requests[0][1]), shards[0].answer(sb.requests[0][1]),
               shards[1].answer(sb.requests[1][1]), shards[1].answer(sa.requests[1][1])]
    assert [len(x["matches"]) for x in answers] == [0, 1, 0, 1]  # B names A on shard 0, A names B on shard 1
    out = decider.receive(sb.head) + decider.receive(sa.head)
    for x in answers:
        out += decider.receive(x)
    assert [o.article_id for o in out] == ["a", "b"]
    first, second = out
    assert first.id == second.id == "a" and first.is_new and second.duplicate_of == "a" and second.size == 2
    assert not decider.pending
    # replayed messages get the same answers again, and change nothing
    assert decider.receive(answers[1]) and decider.receive(sa.head)[0].to_dict() == first.to_dict()
    assert shards[1].answer(sa.requests[1][1]) == answers[3]
    assert len(decider.index.stories) == 1 and decider.index.stories["a"]["count"] == 2
