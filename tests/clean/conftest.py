"""Fixtures for the clean stage: the shared corpora, cleaned once per session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from streams.clean import clean_article
from streams.errors import Rejected
from streams.records import RawArticle

NOW = "2026-11-29T01:02:03.456Z"


def raw(body: str, **fields) -> RawArticle:
    return RawArticle(id=fields.pop("id", "t-1"), body=body, **fields)


def clean(body: str, **fields):
    return clean_article(raw(body, **fields), now=NOW)


def _rows(path: Path) -> list[dict]:
    if not path.exists():
        from tests.conftest import RESEARCH_ONLY

        pytest.skip(f"research data not found: {path} (set NEWS_SHARED_DATA): {RESEARCH_ONLY}")
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def to_raw(row: dict) -> RawArticle:
    return RawArticle(
        id=row["id"], body=row["body"], title=row.get("title"), source=row.get("source"),
        url=row.get("url"), published_at=row.get("published_at"),
    )  # fmt: skip


@pytest.fixture(scope="session")
def ar_rows(shared_data: Path) -> list[dict]:
    return _rows(shared_data / "ar-saudinewsnet-6k.jsonl")


@pytest.fixture(scope="session")
def en_rows(shared_data: Path) -> list[dict]:
    return _rows(shared_data / "en-bbc-1k.jsonl")


@pytest.fixture(scope="session")
def ar_cleaned(ar_rows):
    """``[(row, CleanedArticle | Rejected)]`` for all 6,000 Arabic articles."""
    out = []
    for row in ar_rows:
        try:
            out.append((row, clean_article(to_raw(row), now=NOW)))
        except Rejected as exc:
            out.append((row, exc))
    return out
