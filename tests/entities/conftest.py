from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def shared_data() -> Path:
    return Path(os.environ.get("NEWS_SHARED_DATA") or REPO.parent / "shared" / "data")


def need(path: Path) -> Path:
    if not path.exists():
        from tests.conftest import RESEARCH_ONLY

        pytest.skip(f"research data not found: {path} (set NEWS_SHARED_DATA or lay ../shared/data beside the "
                    f"repo): {RESEARCH_ONLY}")
    return path


@pytest.fixture(scope="session")
def model():
    from streams.entities.model import load_model

    return load_model()


@pytest.fixture(scope="session")
def seed_cleaned():
    """The seed article, cleaned by the clean stage when it works, else lightly by hand."""
    from streams.records import CleanedArticle, RawArticle

    d = json.loads(need(shared_data() / "samples" / "seed-article.json").read_text(encoding="utf-8"))
    raw = RawArticle(id=d["id"], body=d["body"], title=d.get("title"), source=d.get("source"))
    try:
        from streams.clean import clean_article

        return clean_article(raw)
    except Exception:  # the clean stage is someone else's; do not depend on its state
        text = "\n\n".join(p.strip() for p in d["body"].split("\n") if p.strip())
        return make_cleaned(text, d.get("title"))


@pytest.fixture(scope="session")
def cleaned():
    return make_cleaned


@pytest.fixture(scope="session")
def ner_data():
    return lambda name: need(shared_data() / "ner" / name)


def make_cleaned(text: str, title: str | None = None, language: str = "ar"):
    from streams.records import CleanedArticle

    return CleanedArticle(
        id="t-1", text=text, text_normalized=text, title=title, source=None, url=None, section=None,
        language=language, language_confidence=1.0, published_at=None, scraped_at=None, ingested_at=None,
        cleaned_at="2020-01-01T00:00:00.000Z", content_hash="0" * 16, paragraphs=[[0, len(text)]],
        sentence_count=1, word_count=len(text.split()), char_count=len(text),
    )
