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

The three stores are plain ``MutableMapping``\\ s of JSON values, so the same code runs over
dicts (``news-streams process``, tests) and over Faust tables (the worker).
"""

from __future__ import annotations

import math
import time
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np

from . import minhash
from .features import Features, heaviest_first, event_time, extract, overlap, terms_similarity

HOUR = 3600.0


@dataclass(frozen=True, slots=True)
class StoryConfig:
    window: float = 72 * HOUR  # compare with articles at most this far apart in event time
    silence: float = 72 * HOUR  # a story closes after this much event time without a new article
    max_size: int = 40  # a story with this many articles takes no more
    near_copy: float = 0.6  # MinHash similarity of the bodies for a near copy
    same_text: float = 0.3  # ... above which two articles are the same story (figures permitting)
    same_terms: float = 0.55  # rare-term cosine above which two articles are the same story
    mix_text: float = 0.1  # both above these together: the same story
    mix_terms: float = 0.4
    centroid: float = 0.2  # rare-term cosine with the story's centroid needed to join it
    veto_numbers: float = 0.34  # lead-figure overlap below which a merge is vetoed
    anchor_veto_below: float = 0.9  # disjoint anchors (names in title/lead) veto a merge below this text similarity
    anchor_terms: float = 0.25  # shared anchors plus this rare-term cosine: the same story
    # Time decay: up to ``near`` apart the thresholds above; from ``far`` on, only a near copy
    # (``near_copy``) or ``far_terms`` joins; linear in between (no cliff at one hour).
    near: float = 20 * HOUR
    far: float = 48 * HOUR
    far_terms: float = 0.75
    # The shared-names rule decays faster: the same people and places recur in other events
    # within a day (a follow-up, the next day's count), wire rewrites of one event come within hours.
    anchor_near: float = 6 * HOUR
    anchor_far: float = 20 * HOUR
    anchor_terms_far: float = 0.6
    centroid_far: float = 0.3  # the centroid threshold for a member ``far`` apart (linear from ``centroid``)
    centroid_text: float = 1.01  # text similarity with the matched member that skips the centroid check
    max_candidates: int = 256
    term_keys: int = 4  # the article's rarest lead terms used as candidate keys (plus up to 4 anchors)
    max_per_key: int = 48  # newest entries kept per index key (boilerplate keys stay small)
    future_slack: float = 24 * HOUR  # published_at later than now + this: not trusted
    earliest: float = 631152000.0  # 1990-01-01: earlier published_at are not trusted


@dataclass(slots=True)
class Match:
    article: str
    text: float
    terms: float
    numbers: float | None
    same: bool
    near_copy: bool
    veto: bool = False
    farness: float = 0.0

    @property
    def score(self) -> float:
        return max(self.text, self.terms)


def _farness(dt: float, near: float, far: float) -> float:
    """0 up to ``near`` apart (the near rules), 1 from ``far`` on (the far rules), linear between."""
    if dt <= near:
        return 0.0
    return 1.0 if dt >= far else (dt - near) / (far - near)


def _lerp(lo: float, hi: float, d: float) -> float:
    return lo + (hi - lo) * d


def compare(a: Features, b: dict[str, Any], cfg: StoryConfig, cache: dict[str, tuple] | None = None) -> Match:
    """Article ``a`` against a stored article summary ``b`` (``cache``: decoded summaries by id)."""
    sig, lnums, nums, banch, bc = _parsed(b, {} if cache is None else cache)
    text = minhash.similarity(a.sig, sig)
    terms = terms_similarity(a.terms, b["terms"])
    lead = overlap(a.lead_numbers, lnums)
    whole = overlap(a.numbers, nums)
    anchors = len(a.anchors & banch) / min(len(a.anchors), len(banch)) if a.anchors and banch else None
    veto = ((lead is not None and lead < cfg.veto_numbers)
            or (text < cfg.anchor_veto_below
                and ((anchors == 0.0 and min(len(a.anchors), len(banch)) >= 2)
                     or (a.countries and bc and not a.countries & bc))))
    dt = abs(a.published - b["t"])
    d = _farness(dt, cfg.near, cfg.far)
    same = (text >= _lerp(cfg.same_text, cfg.near_copy, d) or terms >= _lerp(cfg.same_terms, cfg.far_terms, d)
            or (d < 1.0 and text >= cfg.mix_text and terms >= _lerp(cfg.mix_terms, cfg.far_terms, d))
            or (anchors is not None and anchors >= 0.5
                and terms >= _lerp(cfg.anchor_terms, cfg.anchor_terms_far, _farness(dt, cfg.anchor_near, cfg.anchor_far))))
    same = same and not veto
    near = not veto and text >= cfg.near_copy and (whole is None or whole >= 0.8)
    return Match(b["id"], text, terms, lead, same, near, veto, d)


@dataclass(slots=True)
class Assignment:
    """The ``story`` object written into every output record (schemas/v1/story.schema.json)."""

    id: str
    duplicate_of: str | None
    similarity: float
    first_seen_at: str | None
    is_new: bool
    matched: str | None = None
    size: int = 1
    reason: str | None = None
    article_id: str | None = None  # the article this assignment is for (not part of the story object)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "duplicate_of": self.duplicate_of, "similarity": round(self.similarity, 4),
                "first_seen_at": self.first_seen_at, "is_new": self.is_new, "matched": self.matched,
                "size": self.size, "reason": self.reason}


@dataclass
class StoryIndex:
    """The state of the story stage over three stores (see module docstring)."""

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
        aid = str(get("id"))
        ts = event_time(article)
        reason = self._distrust(ts)
        if reason in (None, "late") and not (get("text_normalized") or "").strip():
            reason = "empty_text"
        late = reason == "late"
        if reason is not None and not late:
            self.counters["own_story_bad_input"] += 1
            return Assignment(aid, None, 0.0, get("published_at") if ts is not None else None, True, reason=reason,
                              article_id=aid)
        assert ts is not None
        seen = self.articles.get(aid)
        if seen is not None and seen.get("out"):  # a replay (at-least-once redelivery): same answer again
            return Assignment(**seen["out"], article_id=aid)
        if not late:
            self._advance(ts)
        f = extract(article, ts)
        keys = self._keys(f)
        matches = sorted((m for m in self._matches(f, keys)), key=lambda m: (-m.score, m.article))
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
            return Assignment(aid, dup.article if dup else None, dup.score if dup else 0.0, get("published_at"),
                              True, reason="late", article_id=aid)
        if story is None:
            story = self._open(f, get("published_at"))
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
        self._remember(f, keys, story["id"], result)
        return result

    # ---- checks and time -----------------------------------------------------------------
    def _distrust(self, ts: float | None) -> str | None:
        if ts is None:
            return "no_published_at"
        if ts < self.config.earliest:
            return "published_at_too_old"
        if ts > self.now() + self.config.future_slack:
            return "published_at_in_future"
        mark = self.meta.get("watermark")
        if mark is not None and ts < mark - self.config.window:
            return "late"  # older than the window behind the newest article: compared, never indexed
        return None

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
        if f.empty:
            return []
        words = sorted(set(f.keys[: self.config.term_keys]) | set(sorted(f.anchors, key=_longest_first)[:4]))
        return minhash.band_keys(f.sig) + [f"t:{w}" for w in words]

    def _matches(self, f: Features, keys: list[str]) -> list[Match]:
        seen: dict[str, None] = {}
        lo, hi = f.published - self.config.window, f.published + self.config.window
        for key in keys:
            for aid, t in self.keys.get(key, ()):
                if lo <= t <= hi and aid != f.id:
                    seen[aid] = None
        ids = sorted(seen)[: self.config.max_candidates]
        out = []
        for aid in ids:
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
        self.articles[f.id] = {"out": result.to_dict(), "id": f.id, "t": f.published, "story": story_id,
                               "sig": f.sig.tobytes().hex(),
                               "terms": f.terms, "nums": sorted(f.numbers), "lnums": sorted(f.lead_numbers),
                               "anchors": sorted(f.anchors), "countries": sorted(f.countries), "keys": keys}
        cap = self.config.max_per_key
        for key in keys:
            # A new list, never the stored one changed in place: a Faust table serialises its
            # changelog record when the producer sends it, so an in-place change could leak a
            # later state into an earlier record (and into a restore after a crash).
            entries = self.keys.get(key)
            self.keys[key] = [*entries[1 - cap:], [f.id, f.published]] if entries else [[f.id, f.published]]
        self._bucket(f.published, "articles", [f.id])

    def state_size(self) -> dict[str, int]:
        return {"articles": len(self.articles), "stories": len(self.stories), "keys": len(self.keys),
                "buckets": len(self.buckets)}


def _parsed(b: dict[str, Any], cache: dict[str, tuple]) -> tuple:
    """A stored summary decoded for comparison (signature array, figure, name and country sets).

    Cached by article id: a summary never changes once written; the entry is checked against the
    stored signature and time, so an id written again after expiry is decoded afresh.
    """
    hit = cache.get(b["id"])
    if hit is not None and hit[0] == b["sig"] and hit[1] == b["t"]:
        return hit[2]
    out = (np.frombuffer(bytes.fromhex(b["sig"]), dtype=np.uint32), frozenset(b["lnums"]), frozenset(b["nums"]),
           frozenset(b["anchors"]), frozenset(b["countries"]))
    if len(cache) >= _PARSED_MAX:
        cache.clear()
    cache[b["id"]] = (b["sig"], b["t"], out)
    return out


_PARSED_MAX = 20_000


def summary(story: dict[str, Any]) -> dict[str, Any]:
    """A story's public summary (without the internal centroid sums)."""
    return {"id": story["id"], "title": story["title"], "first_article": story["id"],
            "first_seen_at": story["first_seen_at"], "first_seen": story["first_seen"],
            "last_seen": story["last_seen"], "article_count": story["count"], "sources": story["sources"],
            "top_entities": list(story["entities"])[:10]}


def _longest_first(word: str) -> tuple[int, str]:
    """Longest anchors first, ties alphabetical: never set order, which differs per process."""
    return -len(word), word
