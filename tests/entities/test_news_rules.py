"""Places, organisations, spans, datelines and bylines on regional news (issue 17)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from streams.entities import enrich
from streams.entities.extract import extract
from streams.records import Dateline


def _spans(model, sentence: str) -> list[tuple[str, str]]:
    from streams.entities.recognize import recognize_tokens

    toks = sentence.split()
    return [(" ".join(toks[s.i:s.j]), s.type) for s in recognize_tokens(model, toks)]


def _by_text(entities) -> dict[str, object]:
    return {e.text: e for e in entities}


def test_geonames_places_are_linked_with_english_names(model):
    ents = _by_text(extract("وصل الوفد إلى أبها ثم إلى خميس مشيط والطائف.", None, "ar", model))
    assert ents["أبها"].type == "LOC" and ents["أبها"].id == "geonames:110690" and ents["أبها"].name == "Abha"
    assert ents["خميس مشيط"].id == "geonames:105072"
    assert ents["الطائف"].type == "LOC" and ents["الطائف"].name


def test_divisions_are_linked_by_iso_code(model):
    ents = _by_text(extract("هطلت أمطار غزيرة على عسير والقصيم.", None, "ar", model))
    assert ents["عسير"].id == "ISO3166-2:SA-14" and ents["القصيم"].id == "ISO3166-2:SA-05"


def test_ambiguous_common_words_stay_outside_in_ordinary_sentences(model):
    text = ("أصدرت الوزارة بيان اليوم الخميس عن المشروع الجديد، وعرضت الصور في قاعة جامعة "
            "كبرى، وأقامت معسكر تدريب في منطقة عالية الارتفاع، والخبر انتشر سريعا.")
    found = {m.text for e in extract(text, None, "ar", model) for m in e.mentions}
    for word in ("بيان", "الخميس", "الجديد", "الصور", "معسكر", "عالية", "الخبر"):
        assert word not in found, word


def test_a_weak_place_after_its_trigger_word_is_a_place(model):
    spans = _spans(model, "وقع الحادث في محافظة الخبر مساء أمس")
    assert ("الخبر", "LOC") in spans
    spans = _spans(model, "تجمع السكان في مدينة رفح")
    assert ("رفح", "LOC") in spans


def test_country_context_picks_the_place_in_the_article_country(model):
    assert model.gaz.lookup("الرياض").id == "Q3692"  # the curated city wins over every GeoNames Ar Riyad
    alone = _by_text(extract("وصل الوفد إلى بلنسية أمس.", None, "ar", model))["بلنسية"]
    in_spain = _by_text(extract("وصل الوفد إلى إسبانيا ثم إلى بلنسية أمس.", None, "ar", model))["بلنسية"]
    assert alone.name == in_spain.name == "Valencia"
    assert alone.id != in_spain.id  # the most populous Valencia (Venezuela) alone, Spain's in Spain
    spain = [a for a in model.gaz.place_alternatives[model.gaz.phrase_key("بلنسية")] if a.country == "ES"]
    assert in_spain.id == spain[0].id


def test_trigger_headed_organisations_are_whole_spans(model):
    assert ("وزارة الصحة", "ORG") in _spans(model, "أعلنت وزارة الصحة السعودية تسجيل حالات جديدة")
    assert ("الهيئة العامة للغذاء والدواء", "ORG") in _spans(model, "حذرت الهيئة العامة للغذاء والدواء من المنتج")
    assert ("جامعة الطائف", "ORG") in _spans(model, "احتفلت جامعة الطائف بتخريج الطلاب")
    assert ("نادي الشباب", "ORG") in _spans(model, "أعلن نادي الشباب تعاقده مع المدرب")
    spans = _spans(model, "افتتح مركز الملك سلمان للإغاثة والأعمال الإنسانية مكتبا جديدا")
    assert ("مركز الملك سلمان للإغاثة والأعمال الإنسانية", "ORG") in spans
    # a description after a trigger is no name
    assert not [s for s in _spans(model, "عقد مجلس الإدارة اجتماعه") if s[1] == "ORG"]


def test_coordinated_people_are_split(model):
    text = "استقبل الأمير بدر السليطين ومحمد العتيبي في مكتبه."
    ents = [e for e in extract(text, None, "ar", model) if e.type == "PER"]
    mentions = {m.text for e in ents for m in e.mentions}
    assert {"بدر السليطين", "محمد العتيبي"} <= mentions
    for e in ents:
        for m in e.mentions:
            assert text[m.start:m.end] == m.text


def test_no_person_starts_with_a_verb(model):
    assert not [s for s in _spans(model, "وقال هامساً إن الأمر انتهى") if s[1] == "PER"]


def test_dateline_and_byline_entities_with_field_offsets(cleaned):
    c = cleaned("أعلنت الوزارة اليوم إطلاق المبادرة.")
    c.dateline = Dateline(text="الطائف 26 شوال 1436 هـ الموافق 11 أغسطس 2015 م واس", place="الطائف", agency="واس")
    c.byline = "فهد العتيبي وسعد الغامدي"
    c.authors = ["فهد العتيبي", "سعد الغامدي"]
    e = enrich(c, now="2021-01-01T00:00:00.000Z")
    by_field = {(m.field, m.text): (x, m) for x in e.entities for m in x.mentions}
    place, m = by_field[("dateline", "الطائف")]
    assert place.type == "LOC" and place.id and c.dateline.text[m.start:m.end] == "الطائف"
    agency, m = by_field[("dateline", "واس")]
    assert agency.type == "ORG" and agency.name == "Saudi Press Agency" and c.dateline.text[m.start:m.end] == "واس"
    for author in c.authors:
        person, m = by_field[("byline", author)]
        assert person.type == "PER" and c.byline[m.start:m.end] == author


def test_two_name_byline_is_detected_by_the_cleaner():
    from streams.clean import clean_article
    from streams.records import RawArticle

    body = ("فهد العتيبي وسعد الغامدي- سبق- نجران: أعلنت إمارة المنطقة اليوم عن افتتاح مشروع جديد للطرق"
            " في المحافظة بتكلفة كبيرة.\n\nوأضاف المتحدث أن المشروع سيخدم آلاف السكان.")
    c = clean_article(RawArticle(id="b1", body=body))
    assert c.authors == ["فهد العتيبي", "سعد الغامدي"]
    assert not c.text.startswith("فهد")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from(list("وقال محمد الرياض مدينة وزارة- ،.\nabcXYZ١٢3ًٌٍ")), max_size=300))
def test_any_text_gives_entities_or_nothing(model, text):
    for e in extract(text, text[:40], "ar", model):
        assert e.mentions and e.type in ("PER", "ORG", "LOC", "MISC")


def test_huge_and_mixed_inputs(model):
    assert extract("", None, "ar", model) == []
    assert isinstance(extract("ب" * 200_000, None, "ar", model), list)
    mixed = "وزارة الصحة Ministry of Health في الرياض Riyadh 2015 中文 русский " * 50
    assert isinstance(extract(mixed, "عنوان", "ar", model), list)


def test_a_partial_name_is_extended_to_the_known_phrase(model):
    """A two-word city found as its second word only (and typed PER) becomes the city."""
    from streams.entities import rules
    from streams.entities.spans import Span

    toks = "وصل الوفد إلى لوس أنجلوس أمس".split()
    _, gaz = model.tag(toks)
    city = [(i, j, e) for i, j, e in gaz if (i, j) == (3, 5)]
    assert city and city[0][2].type == "LOC"
    spans = rules.apply(model, toks, [Span(4, 5, "PER")], gaz)
    assert [(s.i, s.j, s.type) for s in spans] == [(3, 5, "LOC")]
