"""Online story assignment: one article in, its ``story`` object out (pure Python, no Kafka).

For every article, in arrival order:

1. **Check** the input: no text, no usable ``published_at``, or a date outside the plausible
   range gets a story of its own with a ``reason`` and leaves nothing in the index.
2. **Candidates** come from two kinds of keys: the 32 LSH bands of the body's MinHash (same
   text) and pairs of the article's rarest title/lead terms (same subject, other words). Only
   articles within ``window`` seconds of event time are considered.
3. **Score** each candidate (:func:`compare`): text similarity, rare-term similarity, and a veto
   when the figures of the two leads disagree (templated reports of different events).
4. **Near copy**: the most similar earlier article above ``near_copy`` whose figures agree.
5. **Story**: the best-scoring candidate whose story also accepts the article *as a whole*:
   the article must resemble the story's centroid (its members' summed rare terms), the story
   must have fewer than ``max_size`` articles and still be open. Comparing with the centroid,
   not only the nearest member, is what stops single-link chains from growing giant stories.
6. **Expire**: stories silent for ``silence`` seconds of event time close; their articles and
   keys leave the index. State is bounded by the window, not by the stream's length.

The stores are plain ``MutableMapping``\\ s of JSON values, so the same code runs over
dicts (``news-streams process``, tests) and over Faust tables (the worker). The sharded stage
(:mod:`streams.stories.shards`) runs step 1 where the article is, steps 2 and 3 in the key
shards and steps 4 to 6 in the decider, over the methods of this class (:meth:`StoryIndex.decide`
is the one decision); the pairwise rules are in :mod:`streams.stories.rules`.
"""

from __future__ import annotations

import math
import time
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from typing import Any, Callable

from . import minhash
from .features import Features, heaviest_first, event_time, extract, terms_similarity
from .rules import HOUR, Assignment, Match, StoryConfig, _lerp, compare, summary

__all__ = ["HOUR", "Assignment", "Match", "StoryConfig", "StoryIndex", "compare", "index_keys", "own_story",
           "precheck", "stored_summary", "summary"]


def precheck(article: Any, config: StoryConfig, now: Callable[[], float]) -> tuple[str, float | None, str | None]:
    """The checks that need no state: ``(id, event time, reason)``; a reason (``no_published_at``,
    ``published_at_too_old``, ``published_at_in_future``, ``empty_text``) means a story of its own
    and nothing in the index. ``late`` is not decided here: it needs the stream's watermark."""
    get = article.get if isinstance(article, dict) else (lambda k, d=None: getattr(article, k, d))
    ts = event_time(article)
    if ts is None:
        reason: str | None = "no_published_at"
    elif ts < config.earliest:
        reason = "published_at_too_old"
    elif ts > now() + config.future_slack:
        reason = "published_at_in_future"
    else:
        reason = None if (get("text_normalized") or "").strip() else "empty_text"
    return str(get("id")), ts, reason


def own_story(aid: str, published_at: str | None, reason: str) -> Assignment:
    """The answer to an article that the checks refused: a story of its own, with the reason."""
    return Assignment(aid, None, 0.0, published_at, True, reason=reason, article_id=aid)


def stored_summary(f: Features) -> dict[str, Any]:
    """What the index keeps of an article to compare later ones with (:func:`compare`'s ``b``)."""
    return {"id": f.id, "t": f.published, "sig": f.sig.tobytes().hex(), "terms": f.terms, "nums": sorted(f.numbers),
            "lnums": sorted(f.lead_numbers), "anchors": sorted(f.anchors), "countries": sorted(f.countries)}


@dataclass
class StoryIndex:
    """The state of the story stage over its stores (see module docstring).

    :meth:`assign` is the whole stage; the sharded stage (:mod:`streams.stories.shards`) runs its
    parts in different places over the same code: :meth:`candidates` and :meth:`_matches` where
    the keys are, :meth:`decide` where the stories are.
    """

    config: StoryConfig = field(default_factory=StoryConfig)
    articles: MutableMapping[str, Any] = field(default_factory=dict)
    stories: MutableMapping[str, Any] = field(default_factory=dict)
    keys: MutableMapping[str, Any] = field(default_factory=dict)
    meta: MutableMapping[str, Any] = field(default_factory=dict)  # watermark, next sweep
    buckets: MutableMapping[str, Any] = field(default_factory=dict)  # event-time hour -> what was written
    now: Any = time.time  # wall clock, only to distrust dates in the future
    counters: dict[str, int] = field(default_factory=lambda: {
        "stories_opened": 0, "joined": 0, "near_copies": 0, "own_story_bad_input": 0,
        "stories_closed": 0, "articles_expired": 0})
    _decoded: dict[str, tuple] = field(default_factory=dict, repr=False)  # see _parsed

    # ---- the one public step -------------------------------------------------------------
    def assign(self, article: Any) -> Assignment:
        get = article.get if isinstance(article, dict) else (lambda k, d=None: getattr(article, k, d))
        aid, ts, reason = precheck(article, self.config, self.now)
        if reason is not None:
            self.counters["own_story_bad_input"] += 1
            return own_story(aid, get("published_at") if ts is not None else None, reason)
        assert ts is not None
        seen = self.articles.get(aid)
        if seen is not None and seen.get("out"):  # a replay (at-least-once redelivery): same answer again
            return Assignment(**seen["out"], article_id=aid)
        late = self.is_late(ts)
        if not late:
            self._advance(ts)
        f = extract(article, ts)
        keys = self._keys(f)
        result = self.decide(f, self._matches(f, keys), get("published_at"), late)
        if not late:
            self._remember(f, keys, result.id, result)
        return result

    def decide(self, f: Features, matches: list[Match], published_at: str | None, late: bool) -> Assignment:
        """The story of article ``f`` given its ``matches`` with earlier articles (every one of
        them in :attr:`articles` with its ``story``): the near copy, the story it joins (or a new
        one), the story's update. Late articles join an open story or get their own, never open one."""
        aid = f.id
        matches = sorted(matches, key=lambda m: (-m.score, m.article))
        dup = next((m for m in sorted(matches, key=lambda m: (-m.text, m.article)) if m.near_copy), None)
        story, best = None, None
        vetoed = {self.articles[m.article]["story"] for m in matches if m.veto}
        cfg = self.config
        for m in ([dup] if dup else []) + [m for m in matches if m.same]:
            sid = self.articles[m.article]["story"]
            s = self.stories.get(sid)
            if s is None or s["count"] >= self.config.max_size:
                continue
            # Against chaining: the article must fit the story as a whole (its centroid), and no
            # member it was compared with may veto it (other figures, names, countries).
            if m is not dup and (sid in vetoed or (m.text < cfg.centroid_text and terms_similarity(
                    f.terms, s["centroid"]) < _lerp(cfg.centroid, cfg.centroid_far, m.farness))):
                continue
            story, best = s, m
            break
        if story is None and late:  # nothing of its window is left to join: a story of its own, no state
            self.counters["own_story_bad_input"] += 1
            return Assignment(aid, dup.article if dup else None, dup.score if dup else 0.0, published_at,
                              True, reason="late", article_id=aid)
        if story is None:
            story = self._open(f, published_at)
            result = Assignment(aid, dup.article if dup else None, dup.score if dup else 0.0,
                                story["first_seen_at"], True, size=1)
        else:
            story = self._join(story, f)
            result = Assignment(story["id"], dup.article if dup else None, best.score, story["first_seen_at"],
                                False, matched=best.article, size=story["count"])
            self.counters["joined"] += 1
        if dup:
            self.counters["near_copies"] += 1
        result.article_id = aid
        if late:  # joined a story still open, but not indexed: its own window is gone, state stays bounded
            result.reason = "late"
        return result

    # ---- checks and time -----------------------------------------------------------------
    def is_late(self, ts: float) -> bool:
        """Older than the window behind the newest article: compared, never indexed."""
        mark = self.meta.get("watermark")
        return mark is not None and ts < mark - self.config.window


    def _advance(self, ts: float) -> None:
        mark = self.meta.get("watermark")
        if mark is None or ts > mark:
            self.meta["watermark"] = mark = ts
        sweep = self.meta.get("next_sweep")
        if sweep is None:
            self.meta["next_sweep"] = mark + HOUR
        elif mark >= sweep:
            self.expire(mark)
            self.meta["next_sweep"] = mark + HOUR

    def expire(self, mark: float) -> None:
        """Close silent stories, forget articles and keys older than the window (event time).

        Work is proportional to what expires: every article and story is listed in the bucket of
        the event-time hour it was last written in, an article record lists its index keys, and
        only buckets older than the window are visited (a Faust table cannot be scanned cheaply,
        and need not be).
        """
        cfg = self.config
        cutoff = mark - max(cfg.window, cfg.silence)
        for hour in sorted(int(h) for h in list(self.buckets.keys())):
            if (hour + 1) * HOUR > cutoff:
                break
            bucket = self.buckets.pop(str(hour))
            for sid in bucket.get("stories", ()):
                story = self.stories.get(sid)
                if story is not None and story["last_seen"] < mark - cfg.silence:
                    del self.stories[sid]
                    self.counters["stories_closed"] += 1
            for aid in bucket.get("articles", ()):
                a = self.articles.get(aid)
                if a is None or a["t"] >= mark - cfg.window:
                    continue
                del self.articles[aid]
                self._decoded.pop(aid, None)
                self.counters["articles_expired"] += 1
                for key in a.get("keys", ()):
                    entries = self.keys.get(key)
                    if entries is None:
                        continue
                    kept = [e for e in entries if e[1] >= mark - cfg.window and e[0] != aid]
                    if not kept:
                        del self.keys[key]
                    elif len(kept) != len(entries):
                        self.keys[key] = kept

    def _bucket(self, ts: float, kind: str, items: list[str]) -> None:
        name = str(int(ts // HOUR))
        bucket = dict(self.buckets.get(name) or {})
        bucket[kind] = list(bucket.get(kind, ())) + items
        self.buckets[name] = bucket

    # ---- candidates ------------------------------------------------------------------------
    def _keys(self, f: Features) -> list[str]:
        return index_keys(f, self.config)

    def candidates(self, f: Features, keys: list[str]) -> list[str]:
        """Ids of the indexed articles under ``keys`` within the window of ``f``, the first
        ``max_candidates`` in id order."""
        seen: dict[str, None] = {}
        lo, hi = f.published - self.config.window, f.published + self.config.window
        for key in keys:
            for aid, t in self.keys.get(key, ()):
                if lo <= t <= hi and aid != f.id:
                    seen[aid] = None
        return sorted(seen)[: self.config.max_candidates]

    def _matches(self, f: Features, keys: list[str], ids: list[str] | None = None) -> list[Match]:
        out = []
        for aid in self.candidates(f, keys) if ids is None else ids:
            b = self.articles.get(aid)
            if b is not None:
                out.append(compare(f, b, self.config, self._decoded))
        return out

    # ---- state updates ---------------------------------------------------------------------
    def _open(self, f: Features, published_at: str | None) -> dict[str, Any]:
        s = {"id": f.id, "title": f.title, "first_seen_at": published_at, "first_seen": f.published,
             "last_seen": f.published, "count": 0, "sources": {}, "entities": {}, "centroid": {},
             "_sum": {}}
        self.counters["stories_opened"] += 1
        return self._join(s, f)

    def _join(self, s: dict[str, Any], f: Features) -> dict[str, Any]:
        s = dict(s)
        s["count"] += 1
        s["last_seen"] = max(s["last_seen"], f.published)
        if f.source:
            src = dict(s["sources"])
            src[f.source] = src.get(f.source, 0) + 1
            s["sources"] = src
        ents = dict(s["entities"])
        for e in f.entities:
            ents[e] = ents.get(e, 0) + 1
        s["entities"] = dict(sorted(ents.items(), key=lambda kv: (-kv[1], kv[0]))[:24])
        acc = dict(s["_sum"])
        for k, v in f.terms.items():
            acc[k] = acc.get(k, 0.0) + v
        if len(acc) > 64:  # keep the 64 heaviest terms
            acc = dict(sorted(acc.items(), key=heaviest_first)[:64])
        norm = math.sqrt(sum(v * v for v in acc.values())) or 1.0
        s["_sum"] = acc
        s["centroid"] = {k: v / norm for k, v in acc.items()}
        self.stories[s["id"]] = s
        self._bucket(f.published, "stories", [s["id"]])
        return s

    def _remember(self, f: Features, keys: list[str], story_id: str, result: Assignment) -> None:
        if f.empty:
            return
        self.store(f.id, f.published, {"out": result.to_dict(), **stored_summary(f), "story": story_id, "keys": keys},
                   keys)

    def store(self, aid: str, t: float, record: dict[str, Any], keys: list[str]) -> None:
        """Keep ``record`` for article ``aid`` (event time ``t``) under ``keys`` until it expires."""
        self.articles[aid] = record
        cap = self.config.max_per_key
        for key in keys:
            # A new list, never the stored one changed in place: a Faust table serialises its
            # changelog record when the producer sends it, so an in-place change could leak a
            # later state into an earlier record (and into a restore after a crash).
            entries = self.keys.get(key)
            self.keys[key] = [*entries[1 - cap:], [aid, t]] if entries else [[aid, t]]
        self._bucket(t, "articles", [aid])

    def state_size(self) -> dict[str, int]:
        return {"articles": len(self.articles), "stories": len(self.stories), "keys": len(self.keys),
                "buckets": len(self.buckets)}


def index_keys(f: Features, config: StoryConfig) -> list[str]:
    """The article's candidate keys: its 32 LSH band keys and its rarest lead terms and anchors."""
    if f.empty:
        return []
    words = sorted(set(f.keys[: config.term_keys]) | set(sorted(f.anchors, key=_longest_first)[:4]))
    return minhash.band_keys(f.sig) + [f"t:{w}" for w in words]


def _longest_first(word: str) -> tuple[int, str]:
    """Longest anchors first, ties alphabetical: never set order, which differs per process."""
    return -len(word), word
