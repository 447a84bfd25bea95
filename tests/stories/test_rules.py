"""The pairwise rules: time decay, which names anchor a story, keys independent of the process."""

from __future__ import annotations

import numpy as np
import pytest

from streams.stories import StoryConfig, StoryIndex, compare
from streams.stories.features import Features, extract
from streams.stories.index import HOUR


def features(aid: str, hours: float, sig: np.ndarray, terms: dict[str, float],
             anchors: frozenset[str] = frozenset()) -> Features:
    return Features(id=aid, published=hours * HOUR, sig=sig, terms=terms, keys=list(terms), numbers=frozenset(),
                    lead_numbers=frozenset(), anchors=anchors)


def stored(f: Features) -> dict:
    """The summary the index keeps of an article (as ``StoryIndex._remember`` writes it)."""
    return {"id": f.id, "t": f.published, "sig": f.sig.tobytes().hex(), "terms": f.terms, "nums": [],
            "lnums": [], "anchors": sorted(f.anchors), "countries": []}


def text_pair(shared: int) -> tuple[np.ndarray, np.ndarray]:
    """Two signatures that agree in ``shared`` of 128 positions (MinHash similarity shared/128)."""
    a = np.arange(128, dtype=np.uint32)
    b = a.copy()
    b[shared:] += 1000
    return a, b


@pytest.mark.parametrize(("hours", "same"), [(2, True), (19, True), (30, True), (47, False), (60, False)])
def test_text_similarity_needed_rises_with_time_apart(hours: float, same: bool) -> None:
    # 0.45 of the shingles shared: the same story within a day, not two days apart (rules rise
    # linearly from 0.3 at 20 h to the near-copy threshold 0.6 at 48 h).
    a, b = text_pair(58)
    first = features("a", 0, a, {"x": 1.0})
    later = features("b", hours, b, {"y": 1.0})
    assert compare(later, stored(first), StoryConfig()).same is same


@pytest.mark.parametrize(("hours", "same"), [(1, True), (5, True), (12, False), (30, False)])
def test_shared_names_with_a_weak_subject_overlap_join_only_within_hours(hours: float, same: bool) -> None:
    a, b = text_pair(0)
    names = frozenset({"كيري", "ظريف"})
    first = features("a", 0, a, {"زياره": 0.6, "خليج": 0.8}, names)
    later = features("b", hours, b, {"زياره": 0.6, "وزراء": 0.8}, names)  # rare-term cosine 0.36
    assert compare(later, stored(first), StoryConfig()).same is same


def test_organisations_do_not_anchor_a_story_but_people_and_places_do() -> None:
    relief = "مركز الملك سلمان للاغاثه والاعمال الانسانيه"

    def anchors(relief_type: str) -> frozenset[str]:
        ents = [{"type": relief_type, "text": relief, "in_title": True, "first_start": 0},
                {"type": "PER", "text": "خالد بحاح", "in_title": True, "first_start": 0},
                {"type": "LOC", "text": "المكلا", "in_title": False, "first_start": 40}]
        return extract({"id": "x", "text_normalized": "وصل خالد بحاح الي المكلا", "title": "بحاح في المكلا",
                        "entities": ents}, 0.0).anchors

    assert anchors("ORG") == {"بحاح", "مكلا"}
    assert "اغاثه" in anchors("LOC")  # the same words as a place's name would anchor


def test_candidate_keys_do_not_depend_on_set_order() -> None:
    # Equal-length anchors: the four kept must not depend on the frozenset's iteration order
    # (which differs between processes with PYTHONHASHSEED); longest first, ties alphabetical.
    names = ["دمشق", "بغداد", "عمان", "جده", "صنعاء", "حلب", "قطر"]
    keys = {tuple(StoryIndex()._keys(features("a", 0, np.arange(128, dtype=np.uint32), {}, frozenset(order))))
            for order in (names, list(reversed(names)), sorted(names))}
    assert len(keys) == 1
    anchors = [k[2:] for k in next(iter(keys)) if k.startswith("t:")]
    assert anchors == sorted(sorted(names, key=lambda w: (-len(w), w))[:4])
