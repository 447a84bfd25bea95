"""The seed article, annotated by hand: every person, organisation and place a careful reader
marks, with the surfaces that must end up in the same entity record."""

from __future__ import annotations

import pytest

from streams.entities import enrich

EXPECTED = [
    ("PER", ["مايك بومبيو", "بومبيو"]),
    ("PER", ["مورغان أورتاغوس", "مورجان أورتاجوس", "أورتاغوس"]),
    ("PER", ["فرانسوا فيليب"]),
    ("PER", ["عادل عبد المهدي"]),
    ("PER", ["دونالد ترامب"]),
    ("PER", ["قاسم سليماني"]),
    ("PER", ["أبو مهدي المهندس"]),
    ("ORG", ["الناتو", "حلف شمال الأطلسي", "حلف الأطلسي"]),
    ("ORG", ["رويترز"]),
    ("ORG", ["الأناضول"]),
    ("ORG", ["فيلق القدس"]),
    ("ORG", ["الحشد الشعبي"]),
    ("ORG", ["تنظيم الدولة"]),
    ("LOC", ["واشنطن"]),
    ("LOC", ["بغداد"]),
    ("LOC", ["العراق"]),
    ("LOC", ["الولايات المتحدة", "أمريكا"]),
    ("LOC", ["إيران"]),
]
NOT_ENTITIES = ["الأمريكي", "الأمريكية", "العراقية", "العراقي", "الكندي", "الإيراني", "الأمريكيين", "العراقيين"]


@pytest.fixture(scope="module")
def enriched(seed_cleaned):
    return enrich(seed_cleaned, now="2020-01-11T00:00:00.000Z")


@pytest.mark.parametrize("typ, surfaces", EXPECTED, ids=[s[0] for _, s in EXPECTED])
def test_found_typed_and_merged(enriched, typ, surfaces):
    present = [s for s in surfaces if s in enriched.text or s in (enriched.title or "")]
    assert present, surfaces
    owners = []
    for s in present:
        own = [e for e in enriched.entities if any(m.text == s for m in e.mentions)]
        assert own, f"{s} not found"
        owners.append(own)
        assert all(e.type == typ for e in own), (s, [(e.type, e.text) for e in own])
    first = owners[0]
    assert len(first) == 1, f"{present[0]} split over {[e.text for e in first]}"
    for own in owners:
        assert own == first, f"{present} not merged"


def test_nationality_adjectives_are_not_entities(enriched):
    texts = {m.text for e in enriched.entities for m in e.mentions}
    for adj in NOT_ENTITIES:
        assert adj not in texts


def test_mentions_point_at_their_surface(enriched):
    for e in enriched.entities:
        assert e.count == len(e.mentions) >= 1
        for m in e.mentions:
            src = enriched.title if m.field == "title" else enriched.text
            assert src[m.start : m.end] == m.text
            assert not m.text.startswith(("وال", "بال", "فال", "كال", "لل", "ولل", "لـ")), m.text
        assert e.in_title == any(m.field == "title" for m in e.mentions)


def test_linked_ids(enriched):
    ids = {e.text: e.id for e in enriched.entities}
    by_id = {e.id: e for e in enriched.entities if e.id}
    assert by_id["Q7184"].type == "ORG" and by_id["Q7184"].count >= 3
    assert by_id["Q796"].name == "Iraq" and by_id["Q796"].count >= 8
    assert "Q30" in by_id and "Q794" in by_id and "Q130879" in by_id and "Q22686" in by_id
    assert ids
