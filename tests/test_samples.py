"""The articles the repo ships: deterministic synthetic Arabic articles the pipeline fully enriches."""

from __future__ import annotations

import re

import orjson

from streams import contracts
from streams.pipeline import process_payload
from streams.records import DeadLetter, SourcePosition
from streams.samples import bundled_articles, raw_articles, synthetic_article, synthetic_articles


def test_synthetic_articles_are_deterministic_and_unique():
    first = synthetic_articles(300)
    assert first == synthetic_articles(300)
    assert synthetic_articles(50) == first[:50]  # article i depends on i alone, not on the count
    assert synthetic_article(7, seed=1) != synthetic_article(7, seed=0)
    assert len({a["id"] for a in first}) == 300
    assert len({a["body"] for a in first}) > 290


def test_synthetic_articles_are_valid_raw_records_made_of_the_shipped_text():
    from streams import samples

    furniture = " ".join(samples._PLACES + samples._AGENCIES + samples._SIGNOFFS + samples._TEASERS
                         + (samples._CAPTION, "الرئيسية جميع الحقوق محفوظة"))
    known = set(re.findall(r"[\u0600-\u06ff]+", " ".join(a["body"] + " " + a["title"] for a in bundled_articles())
                           + " " + furniture))
    for article in synthetic_articles(100):
        assert contracts.validator("raw").is_valid(article)
        text = re.sub(r"<[^<>]*>", " ", article["body"]) + " " + article["title"]
        assert set(re.findall(r"[\u0600-\u06ff]+", text)) <= known


def test_every_synthetic_article_is_enriched_with_its_furniture_removed():
    reasons = set()
    for article in synthetic_articles(200):
        result = process_payload(orjson.dumps(article), SourcePosition(), max_bytes=2_000_000)
        assert not isinstance(result, DeadLetter), (article, result)
        assert result.entities and result.language == "ar"
        assert "<" not in result.text and "انتهى" not in result.text and "اقرأ أيضا" not in result.text
        reasons |= {r.reason for r in result.removed}
    assert {"dateline", "signoff", "read_also", "caption"} <= reasons


def test_raw_articles_fall_back_to_synthetic_without_the_research_data(tmp_path):
    source, lines = raw_articles(20, tmp_path / "absent")
    assert "synthetic" in source and len(lines) == 20
    assert [orjson.loads(l)["id"] for l in lines] == [f"syn-0-{i:06d}" for i in range(20)]
