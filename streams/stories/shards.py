"""The story stage split so that it scales with partitions: :class:`StoryIndex` as three roles.

No single place holds all story state. Each role is a plain object over the same code as
:class:`~streams.stories.index.StoryIndex` (no copy of a rule or of the decision), and they talk
only through JSON-ready message dicts, so they run in one process (tests, benchmarks) or on
Kafka (:mod:`streams.stories.sharded_service`)::

    article --Scatter--> head (to the decider) + one request per key shard p = crc32(key) % N
    request --KeyShard p--> answer {id, shard, cands, matches} (to the decider)
    head + answers --Decider--> the article's ``story`` object

* :class:`Scatter` (stateless, where the article is): the checks that need no state, the
  features (once), the keys, and one request per *distinct* shard of the keys, carrying the
  article's stored summary and the keys that fall in that shard.
* :class:`KeyShard` (state: key -> [(id, t)] and the summary of every article with a key in the
  shard; expiry by the shard's own event-time watermark): finds the candidates under its keys,
  scores them with :func:`~streams.stories.rules.compare`, keeps the new article, and answers
  with the candidate ids and the matches that can matter (same story, near copy or veto).
* :class:`Decider` (state: article -> story and the stories, their centroids, counts and
  sources: no signatures, no keys): gathers the head and the answers of an article and runs
  :meth:`StoryIndex.decide <streams.stories.index.StoryIndex.decide>` on them.

**Order.** Fed in one order (one scatter: every shard sees the articles in that order, each
article decided before the next is scattered), the roles give exactly StoryIndex's story objects
for any number of shards (``tests/stories/test_shards.py`` checks N = 1, 2, 4, 8 over the shared
corpus). With several scatterers, two shards may see articles A and B in different orders. An
article whose answers name an undecided article waits for it; when articles wait on each other in
a cycle, the one with the earlier ``published_at`` (then the smaller id) is decided first. A match
is symmetric (:func:`compare`), so the match "A names B" that the first decided article had to
leave out is handed to B as "B names A": every decision then equals StoryIndex's over the order
in which the decider decided (up to the per-key and per-article candidate caps, and expiry, which
each shard runs on its own watermark). Two copies of one news arriving at the same moment on two
workers so end in one story: the one decided second joins the first's story (no merge record is
needed, none is written).
"""

from __future__ import annotations

import time
import zlib
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from .features import Features, extract
from .index import StoryIndex, index_keys, own_story, precheck, stored_summary
from .rules import HOUR, Assignment, Match, StoryConfig

__all__ = ["Decider", "KeyShard", "Scatter", "Scattered", "ShardedStories", "shard_of"]

#: The fields of an article's stored summary (:func:`~streams.stories.index.stored_summary`).
SUMMARY = ("id", "t", "sig", "terms", "nums", "lnums", "anchors", "countries")
_NO_SIG = np.zeros(0, dtype=np.uint32)


def shard_of(key: str, shards: int) -> int:
    """The shard of an index key: stable across processes and machines (never Python's ``hash``)."""
    return zlib.crc32(key.encode("utf-8")) % shards


def _relevant(m: Match) -> bool:
    """Whether a match can change a decision: only these travel to the decider."""
    return m.same or m.near_copy or m.veto


def match_message(m: Match) -> dict[str, Any]:
    return {"article": m.article, "text": m.text, "terms": m.terms, "numbers": m.numbers, "same": bool(m.same),
            "near_copy": bool(m.near_copy), "veto": bool(m.veto), "farness": m.farness, "t": m.t}


# ---- scatter ---------------------------------------------------------------------------------
@dataclass(slots=True)
class Scattered:
    """What the scatter makes of one article: an answer now (``own``: refused by the checks), or
    a ``head`` for the decider and ``requests`` as (shard, request) pairs."""

    article_id: str
    own: Assignment | None = None
    head: dict[str, Any] | None = None
    requests: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


@dataclass
class Scatter:
    shards: int
    config: StoryConfig = field(default_factory=StoryConfig)
    now: Callable[[], float] = time.time
    counters: dict[str, int] = field(default_factory=lambda: {"own_story_bad_input": 0})

    def split(self, article: Any) -> Scattered:
        get = article.get if isinstance(article, dict) else (lambda k, d=None: getattr(article, k, d))
        aid, ts, reason = precheck(article, self.config, self.now)
        if reason is not None:
            self.counters["own_story_bad_input"] += 1
            return Scattered(aid, own=own_story(aid, get("published_at") if ts is not None else None, reason))
        f = extract(article, ts)
        by_shard: dict[int, list[str]] = {}
        for key in index_keys(f, self.config):
            by_shard.setdefault(shard_of(key, self.shards), []).append(key)
        head = {"kind": "head", "id": aid, "t": ts, "published_at": get("published_at"), "shards": sorted(by_shard),
                "empty": f.empty, "title": f.title, "source": f.source, "entities": f.entities, "terms": f.terms}
        summary = stored_summary(f)
        return Scattered(aid, head=head, requests=[(p, {**summary, "keys": keys}) for p, keys in sorted(by_shard.items())])


def _summary_features(req: dict[str, Any]) -> Features:
    """The comparable features of an article from its stored summary (a shard request)."""
    return Features(id=req["id"], published=req["t"], sig=np.frombuffer(bytes.fromhex(req["sig"]), dtype=np.uint32),
                    terms=req["terms"], keys=[], numbers=frozenset(req["nums"]), lead_numbers=frozenset(req["lnums"]),
                    anchors=frozenset(req["anchors"]), countries=frozenset(req["countries"]))


def _head_features(head: dict[str, Any]) -> Features:
    """What the decision needs of an article (its terms for the centroid, what a story records)."""
    return Features(id=head["id"], published=head["t"], sig=_NO_SIG, terms=head["terms"], keys=[],
                    numbers=frozenset(), lead_numbers=frozenset(), source=head["source"], title=head["title"],
                    entities=head["entities"], empty=head["empty"])


# ---- key shard -------------------------------------------------------------------------------
@dataclass
class KeyShard:
    """One partition of the index keys. ``index`` holds its state (``articles``: summaries and the
    answer given, ``keys``, ``buckets``, ``meta``; its ``stories`` stay empty)."""

    shard: int
    index: StoryIndex

    def answer(self, req: dict[str, Any]) -> dict[str, Any]:
        aid = req["id"]
        seen = self.index.articles.get(aid)
        if seen is not None and "answer" in seen:  # a replayed request: the answer it had
            return seen["answer"]
        f = _summary_features(req)
        late = self.index.is_late(f.published)  # by this shard's watermark: later than the decider's rule
        if not late:
            self.index._advance(f.published)
        ids = self.index.candidates(f, req["keys"])
        matches = [match_message(m) for m in self.index._matches(f, req["keys"], ids) if _relevant(m)]
        out = {"kind": "answer", "id": aid, "shard": self.shard, "cands": ids, "matches": matches}
        if not late:
            record = {k: req[k] for k in SUMMARY}
            record["keys"], record["answer"] = req["keys"], out
            self.index.store(aid, f.published, record, req["keys"])
        return out


# ---- decider ---------------------------------------------------------------------------------
@dataclass
class Decider:
    """Gathers each article's head and answers, and decides in an order the answers allow.

    ``index`` holds the decisions: ``articles`` (id -> ``{id, t, out, story}``; without ``story``
    when the article was late or empty: never a candidate), ``stories``, ``buckets``, ``meta``
    (watermark, next sweep, and ``gathered``: the ids whose messages are all in). ``pending``:
    id -> ``{head, answers, inherited, batch}`` of undecided articles.
    """

    index: StoryIndex
    pending: MutableMapping[str, Any] = field(default_factory=dict)
    #: Gathered articles kept waiting at most: past it the oldest is decided without waiting.
    max_pending: int = 1000

    def receive(self, msg: dict[str, Any]) -> list[Assignment]:
        """One head or answer in; the decisions it allowed out (often none, at most a few)."""
        aid = msg["id"]
        done = self.index.articles.get(aid)
        if done is not None:  # decided: a replayed message gets the answers it gave again
            return self._outs([aid, *done.get("batch", ())])
        entry = dict(self.pending.get(aid) or {"answers": {}, "inherited": []})
        if msg["kind"] == "head":
            if "head" in entry:
                return self._outs(entry.get("batch", ()))
            entry["head"] = msg
        else:
            shard = str(msg["shard"])
            if shard in entry["answers"]:
                return self._outs(entry.get("batch", ()))
            entry["answers"] = {**entry["answers"], shard: msg}
        self.pending[aid] = entry
        head = entry.get("head")
        if head is not None and len(entry["answers"]) == len(head["shards"]):
            self.index.meta["gathered"] = [*(self.index.meta.get("gathered") or ()), aid]
        decided = self._drain()
        batch = [a.article_id for a in decided if a.article_id != aid]
        if batch:  # a replay of this message must give these again (their outputs may be lost)
            if aid in self.index.articles:
                self.index.articles[aid] = {**self.index.articles[aid], "batch": batch}
            elif aid in self.pending:
                self.pending[aid] = {**self.pending[aid], "batch": batch}
        return decided

    def _outs(self, ids: Any) -> list[Assignment]:
        recs = [(a, self.index.articles.get(a)) for a in ids]
        return [Assignment(**r["out"], article_id=a) for a, r in recs if r is not None]

    def _gone(self, t: float) -> bool:
        """Whether an article of event time ``t`` has left the decider's state (or would be late)."""
        sweep = self.index.meta.get("next_sweep")
        cfg = self.index.config
        return sweep is not None and (t // HOUR + 1) * HOUR + max(cfg.window, cfg.silence) <= sweep - HOUR

    def _blockers(self, aid: str, entry: dict[str, Any]) -> set[str]:
        articles = self.index.articles
        return {m["article"] for ans in entry["answers"].values() for m in ans["matches"]
                if m["article"] != aid and m["article"] not in articles and not self._gone(m["t"])}

    def _drain(self) -> list[Assignment]:
        out = []
        while gathered := list(self.index.meta.get("gathered") or ()):
            entries = {a: self.pending[a] for a in gathered}
            blockers = {a: self._blockers(a, e) for a, e in entries.items()}
            ready = {a for a in gathered if not blockers[a]}
            if not ready:  # articles that wait only on each other: a cycle, broken by the tie rule
                ready = set(gathered)
                while drop := {a for a in ready if not blockers[a] <= ready}:
                    ready -= drop
            if not ready and len(gathered) > self.max_pending:
                ready = {gathered[0]}
            if not ready:
                break
            aid = min(ready, key=lambda a: (entries[a]["head"]["t"], a))
            self.index.meta["gathered"] = [a for a in gathered if a != aid]
            out.append(self._decide(aid, entries[aid]))
        return out

    def _decide(self, aid: str, entry: dict[str, Any]) -> Assignment:
        index, cfg = self.index, self.index.config
        head = entry["head"]
        f = _head_features(head)
        late = index.is_late(f.published)
        if not late:
            index._advance(f.published)
        answers = list(entry["answers"].values())
        inherited = entry.get("inherited") or []
        cands = {c for ans in answers for c in ans["cands"]} | {m["article"] for m in inherited}
        allowed = set(sorted(cands)[: cfg.max_candidates])
        named: dict[str, dict[str, Any]] = {}
        for m in [m for ans in answers for m in ans["matches"]] + inherited:
            named.setdefault(m["article"], m)
        matches = []
        for other, m in named.items():
            if other == aid or other not in allowed:
                continue
            rec = index.articles.get(other)
            if rec is None:  # undecided: it gets this match from the other side (compare is symmetric)
                if not self._gone(m["t"]):
                    self._inherit(other, {**m, "article": aid, "t": f.published})
                continue
            if "story" in rec:
                matches.append(Match(**m))
        result = index.decide(f, matches, head.get("published_at"), late)
        record = {"id": aid, "t": f.published, "out": result.to_dict()}
        if not late and not f.empty:
            record["story"] = result.id
        del self.pending[aid]
        index.store(aid, f.published, record, [])
        return result

    def _inherit(self, other: str, match: dict[str, Any]) -> None:
        entry = dict(self.pending.get(other) or {"answers": {}, "inherited": []})
        entry["inherited"] = [*entry.get("inherited", ()), match]
        self.pending[other] = entry


# ---- the three roles in one process ----------------------------------------------------------
def _wire(msg: dict[str, Any]) -> dict[str, Any]:
    import orjson

    return orjson.loads(orjson.dumps(msg))


@dataclass
class ShardedStories:
    """Scatter, ``shards`` key shards and the decider in one process, every message through JSON
    as on Kafka and delivered at once (each article decided before the next is scattered)."""

    shards: int
    config: StoryConfig = field(default_factory=StoryConfig)
    now: Callable[[], float] = time.time

    def __post_init__(self) -> None:
        self.scatter = Scatter(self.shards, self.config, self.now)
        self.key_shards = [KeyShard(p, StoryIndex(self.config, now=self.now)) for p in range(self.shards)]
        self.decider = Decider(StoryIndex(self.config, now=self.now))

    def assign(self, article: Any) -> Assignment:
        s = self.scatter.split(article)
        if s.own is not None:
            return s.own
        out = self.decider.receive(_wire(s.head))
        for p, req in s.requests:
            out += self.decider.receive(_wire(self.key_shards[p].answer(_wire(req))))
        mine = [a for a in out if a.article_id == s.article_id]
        if not mine or any(a.to_dict() != mine[0].to_dict() for a in mine):
            raise AssertionError(f"in order, every article is decided once, at its last message: {out}")
        return mine[0]
