"""The record classes: ``EnrichedArticle`` extends ``CleanedArticle`` without changing the published
field order of ``enriched``; the vocabulary enums are their wire values."""

from __future__ import annotations

import dataclasses

import orjson

from streams.names import Reason, Stage, Topic
from streams.records import CleanedArticle, EnrichedArticle, SourcePosition

#: The field order of ``enriched`` records as published before EnrichedArticle extended CleanedArticle.
ENRICHED_ORDER = [
    "id", "text", "text_normalized", "title", "source", "url", "section", "language", "language_confidence",
    "published_at", "scraped_at", "ingested_at", "cleaned_at", "processed_at", "content_hash", "paragraphs",
    "sentence_count", "word_count", "char_count", "entities", "dateline", "byline", "authors", "captions",
    "removed", "was_html", "extra", "schema_version",
    "quotes", "dates", "dates_anchor",  # schema 1.1, additive: appended (streams.facts)
]


def _cleaned() -> CleanedArticle:
    return CleanedArticle(id="a1", text="t", text_normalized="t", title=None, source=None, url=None, section=None,
                          language="ar", language_confidence=1.0, published_at=None, scraped_at=None,
                          ingested_at=None, cleaned_at="2026-11-29T00:00:00.000Z", content_hash="h",
                          paragraphs=[[0, 1]], sentence_count=1, word_count=1, char_count=1)


def test_enriched_extends_cleaned_and_keeps_the_wire_order():
    cleaned = _cleaned()
    values = {f.name: getattr(cleaned, f.name) for f in dataclasses.fields(CleanedArticle)}
    enriched = EnrichedArticle(**values, processed_at="2026-11-29T00:00:01.000Z", entities=[])
    assert isinstance(enriched, CleanedArticle)
    assert [f.name for f in dataclasses.fields(EnrichedArticle)] == ENRICHED_ORDER
    assert list(orjson.loads(orjson.dumps(enriched))) == ENRICHED_ORDER
    assert list(dataclasses.asdict(enriched)) == ENRICHED_ORDER


def test_vocabulary_enums_are_their_wire_values():
    assert [str(t) for t in Topic] == ["raw", "cleaned", "enriched", "dead-letter", "trends-mentions", "trends",
                                       "stories"]
    assert orjson.dumps([Stage.CLEAN, Reason.TOO_LARGE]) == b'["clean","too_large"]'
    assert SourcePosition(topic="news.raw", partition=2, offset=7).describe() == "news.raw[2]@7"
    assert SourcePosition(file="in.jsonl", line=3).describe() == "in.jsonl:3"
    assert SourcePosition().describe() == "input"
