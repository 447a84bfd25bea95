"""The pairwise rules and the story object: what two articles are to each other, and what an
article is told (pure functions and records, no state).

:func:`compare` is symmetric: ``compare(a, b)`` and ``compare(b, a)`` give the same similarities
and verdicts (the text and rare-term similarities, the figure overlaps, the name and country
vetoes and the time decay are all symmetric), which is what lets the sharded stage
(:mod:`streams.stories.shards`) hand a match computed from one side to the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from . import minhash
from .features import Features, overlap, terms_similarity

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
    t: float | None = None  # the event time of ``article`` (the sharded stage needs it)

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
    return Match(b["id"], text, terms, lead, same, near, veto, d, b["t"])


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
