"""The demo's closing view: one enriched article as a person reads it, the stories of the run, and
the dead letters' reasons."""

from __future__ import annotations

import orjson

from streams.cli.show import pick_article, render_article, render_dead_letters, render_stories
from streams.pipeline import process_payload
from streams.records import SourcePosition
from streams.samples import POISON, bundled_articles


def _out(payload: bytes, **where) -> dict:
    return orjson.loads(orjson.dumps(process_payload(payload, SourcePosition(**where), max_bytes=2_000_000)))


def test_an_article_reads_with_title_language_text_and_entities_by_type_with_ids():
    sample = bundled_articles()[0]
    record = _out(orjson.dumps(sample))
    shown = render_article(record)
    lines = shown.splitlines()
    assert lines[0] == sample["title"]
    assert f"id {sample['id']}" in lines[1] and "language ar" in lines[1]
    assert record["text"].split("\n")[0][:40] in shown.replace("\n", " ")
    places = next(l for l in lines if l.startswith("LOC  places:"))
    assert "بغداد [Q1530 Baghdad]" in places
    assert shown.index("LOC ") > shown.index("Entities (")


def test_dead_letters_say_which_record_and_why():
    dead = [_out(line, topic="raw", partition=0, offset=n) for n, line in enumerate(POISON.read_bytes().splitlines())]
    shown = render_dead_letters(dead)
    assert shown.splitlines()[0] == "Dead letters (6):"
    assert "poison-no-body" in shown and "ingest/missing_field: required field 'body'" in shown
    assert "partition 0 offset 0" in shown and "ingest/malformed_json" in shown


def test_the_demo_prefers_the_seed_then_the_first_shipped_sample():
    records = {"x": {"id": "x", "language": "ar", "entities": [{}] * 9}, "sample-ar-1": {"id": "sample-ar-1"}}
    assert pick_article(records)["id"] == "sample-ar-1"
    assert pick_article({**records, "seed-0001": {"id": "seed-0001"}})["id"] == "seed-0001"
    assert pick_article({"x": records["x"]})["id"] == "x" and pick_article({}) is None


def test_stories_say_how_many_and_show_the_largest_with_their_outlets():
    articles = {a: {"id": a, "title": f"title {a}", "source": src} for a, src in
                (("a", "spa"), ("b", "sabq"), ("c", "okaz"), ("d", "spa"), ("e", "spa"))}
    story = lambda sid, dup=None: {"id": sid, "duplicate_of": dup, "similarity": 0.9, "first_seen_at": None}  # noqa: E731
    stories = {"a": story("a"), "b": story("a", dup="a"), "c": story("a"), "d": story("d")}
    lines = render_stories(stories, articles).splitlines()
    assert lines[0].startswith("Stories: 4 article(s) in 2 stories, 1 with more than one article, 1 near copy")
    assert "(1 enriched article(s) had no story record yet)" in lines[0]
    assert lines[1] == "  3 articles: title a (okaz, sabq, spa)"
    assert len(lines) == 2  # single-article stories are not listed
