from __future__ import annotations

from pathlib import Path

import orjson
import pytest


@pytest.fixture(scope="session")
def corpus_enriched(shared_data: Path) -> list[dict]:
    """The first 300 articles of the shared Arabic corpus, cleaned and enriched in process."""
    from streams.pipeline import process_payload
    from streams.records import EnrichedArticle, SourcePosition

    out = []
    with (shared_data / "ar-saudinewsnet-6k.jsonl").open("rb") as fh:
        for number, line in enumerate(fh, 1):
            if number > 300:
                break
            result = process_payload(line, SourcePosition(file="corpus", line=number), max_bytes=2_000_000)
            if isinstance(result, EnrichedArticle):
                out.append(orjson.loads(orjson.dumps(result)))
    return out
