from __future__ import annotations

import dataclasses

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streams.entities import enrich
from streams.records import CleanedArticle, EnrichedArticle



def test_copies_every_field_and_stamps_processed_at(cleaned):
    make_cleaned = cleaned
    c = make_cleaned("وصل وزير الخارجية إلى بغداد.", "زيارة إلى بغداد")
    e = enrich(c, now="2021-02-03T04:05:06.789Z")
    assert isinstance(e, EnrichedArticle)
    for f in dataclasses.fields(CleanedArticle):
        assert getattr(e, f.name) == getattr(c, f.name), f.name
    assert e.processed_at == "2021-02-03T04:05:06.789Z"
    assert enrich(c).processed_at.endswith("Z")
    (bg,) = [x for x in e.entities if x.text == "بغداد"]
    assert bg.count == 2 and bg.in_title and bg.first_field == "title" and bg.id == "Q1530"


def test_proclitic_offsets_in_article(cleaned):
    make_cleaned = cleaned
    text = 'وقالت وواشنطن إن وفدا وصل بالعراق، وفق ما نقل لـ"رويترز" مصدر.'
    e = enrich(make_cleaned(text))
    surfaces = {m.text for x in e.entities for m in x.mentions}
    assert {"واشنطن", "العراق", "رويترز"} <= surfaces
    for x in e.entities:
        for m in x.mentions:
            assert text[m.start : m.end] == m.text


def test_english_and_french_get_gazetteer_entities(cleaned):
    make_cleaned = cleaned
    en = enrich(make_cleaned("Iraq asked the United States and NATO to talk, Reuters said in Baghdad.", language="en"))
    got = {(x.text, x.type, x.id) for x in en.entities}
    assert {("Iraq", "LOC", "Q796"), ("United States", "LOC", "Q30"), ("NATO", "ORG", "Q7184")} <= got
    fr = enrich(make_cleaned("L'Irak a demandé aux États-Unis et à l'OTAN de partir.", language="fr"))
    assert {"Q30", "Q7184"} <= {x.id for x in fr.entities}


def test_same_entity_with_variants_is_one_record(cleaned):
    make_cleaned = cleaned
    text = "التقى مايك بومبيو مع مورغان أورتاغوس. وقال بومبيو إن مورجان أورتاجوس ستتحدث عن حلف الأطلسي والناتو."
    e = enrich(make_cleaned(text))
    per = [x for x in e.entities if x.type == "PER"]
    assert sorted(x.count for x in per) == [2, 2], [(x.text, x.count) for x in per]
    org = [x for x in e.entities if x.id == "Q7184"]
    assert len(org) == 1 and org[0].count == 2


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=400), title=st.one_of(st.none(), st.text(max_size=80)),
       lang=st.sampled_from(["ar", "en", "fr", "und", ""]))
def test_never_raises_on_any_text(cleaned, text, title, lang):
    make_cleaned = cleaned
    e = enrich(make_cleaned(text, title, language=lang))
    for x in e.entities:
        assert x.type in ("PER", "ORG", "LOC", "MISC")
        for m in x.mentions:
            src = e.title if m.field == "title" else e.text
            assert src[m.start : m.end] == m.text and m.text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["و", "ب", "ال", "لل", "ـ", "بغداد", "واشنطن", " ", "\u064e", "\u0651", "ترامب",
                                 ".", '"', "لـ", "حلف", "الأطلسي", "\n", "أ", "ة", "İ", "ß"]), max_size=60))
def test_never_raises_on_arabic_fragments(cleaned, parts):
    make_cleaned = cleaned
    text = "".join(parts)
    e = enrich(make_cleaned(text, text[:20]))
    for x in e.entities:
        for m in x.mentions:
            src = e.title if m.field == "title" else e.text
            assert src[m.start : m.end] == m.text


def test_a_bug_in_extraction_becomes_one_internal_error_dead_letter(cleaned, monkeypatch):
    """One error policy: the entity stage never hides a bug behind ``entities: []``."""
    import pytest

    from streams.entities import extract as extract_mod
    from streams.pipeline import entities_stage
    from streams.records import DeadLetter, SourcePosition

    def broken(*args, **kwargs):
        raise KeyError("boom")

    monkeypatch.setattr(extract_mod, "extract", broken)
    c = cleaned("وصل وزير الخارجية إلى بغداد.")
    with pytest.raises(KeyError):
        enrich(c)
    out = entities_stage(c, SourcePosition(topic="cleaned", partition=0, offset=7))
    assert isinstance(out, DeadLetter)
    assert out.reason == "internal_error"
    assert "KeyError" in out.message and "boom" in out.message
    assert out.article_id == c.id
