"""The enriched record carries quotes and dates, through the same pipeline as the worker."""

from __future__ import annotations

import dataclasses

import orjson

from streams.contracts import load_schema
from streams.facts import DateAnchor, DateMention, Quote, Speaker
from streams.pipeline import process_payload
from streams.records import EnrichedArticle, SourcePosition
from tests.test_contracts import assert_valid


def _names(cls) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


def test_facts_records_match_the_schema():
    props = load_schema("enriched")["properties"]
    assert _names(Quote) == set(props["quotes"]["items"]["properties"])
    assert _names(DateMention) == set(props["dates"]["items"]["properties"])
    assert _names(DateAnchor) == set(props["dates_anchor"]["properties"])
    assert _names(Speaker) == set(load_schema("enriched")["$defs"]["speaker"]["properties"])


def test_seed_article_quotes_dates_and_speaker_entities(seed_article):
    r = process_payload(seed_article, SourcePosition(file="seed", line=1), max_bytes=2_000_000)
    assert isinstance(r, EnrichedArticle)
    assert_valid("enriched", r)
    assert r.dates_anchor == DateAnchor("2020-01-10", "published_at")
    for q in r.quotes:
        assert r.text[q.start:q.end] == q.text
        if q.speaker is not None:
            assert r.text[q.speaker.start:q.speaker.end] == q.speaker.text
    first = next(q for q in r.quotes if q.text.startswith("في هذا الوقت"))
    assert first.direct and first.verb == "وقالت"
    assert r.entities[first.speaker.entity].type == "PER" and "أورتاغوس" in r.entities[first.speaker.entity].text
    relayed = next(q for q in r.quotes if q.text.startswith("بومبيو بحث"))
    assert relayed.via is not None and "رويترز" in relayed.via.text and "لخارجية الأمريكية" in relayed.speaker.text
    assert [(d.text, d.value) for d in r.dates if d.text in ("الأحد", "قبل أسبوع")] == [
        ("الأحد", "2020-01-05"), ("قبل أسبوع", "2020-01-03")]


def test_dateline_dates_and_the_dateline_anchor():
    body = ("الباحة 25 شوال 1436هـ الموافق 10 أغسطس 2015م واس\n"
            "أكد المدير العام للتعليم أن الدراسة تبدأ الأحد المقبل، وقال إن المدارس جاهزة منذ أمس.")
    raw = {"id": "dl-1", "body": body, "published_at": "not a timestamp"}
    r = process_payload(orjson.dumps(raw), SourcePosition(file="t", line=1), max_bytes=100_000)
    assert isinstance(r, EnrichedArticle) and r.dateline is not None
    assert r.dates_anchor == DateAnchor("2015-08-10", "dateline")
    dl = [d for d in r.dates if d.field == "dateline"]
    assert [(d.value, d.calendar, d.hijri) for d in dl] == [("2015-08-10", "hijri", "1436-10-25")]
    assert r.dateline.text[dl[0].start:dl[0].end] == dl[0].text
    body_dates = {d.text: d.value for d in r.dates if d.field == "text"}
    assert body_dates == {"الأحد المقبل": "2015-08-16", "أمس": "2015-08-09"}
    assert [q.verb for q in r.quotes] == ["أكد", "وقال"]
    assert_valid("enriched", r)


def test_missing_timestamps_fall_back_to_processing_time():
    raw = {"id": "x-1", "body": "وقال مصدر إن الاجتماع عقد أمس."}
    r = process_payload(orjson.dumps(raw), SourcePosition(file="t", line=1), max_bytes=100_000)
    assert r.dates_anchor.source == "processed_at" and r.dates_anchor.date == r.processed_at[:10]
