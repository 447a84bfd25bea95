"""Check that quotes and dates have not changed (for performance work on :mod:`streams.facts`).

    .venv/bin/python -m bench.facts_equivalence [--limit N] [--expect DIGEST] [--out FILE] [--fresh]

Cleans and enriches the shared Arabic corpus (6,000 articles; ``published_at`` as the scrapers
sent it) and the English one (1,000), runs ``add_facts`` on every record and prints the SHA-256 of
one JSON line per article (``quotes``, ``dates``, ``dates_anchor``; written to ``--out``, by
default in the temporary directory, never in the repo: the corpora are research-only).
``--expect`` exits non-zero when the digest differs. The enriched records (entities in, no facts
yet) are kept in the temporary directory between runs, so a run times the facts step alone and a
change to the entity stage cannot move the digest (``--fresh`` rebuilds them).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from bench.common import cached, write_digest

NOW = "2020-01-01T00:00:00.000Z"
CORPORA = ("ar-saudinewsnet-6k.jsonl", "en-bbc-1k.jsonl")


def enriched(path: Path, limit: int | None, fresh: bool) -> list:
    """Enriched records of ``path`` without facts (cached in the temporary directory)."""
    return cached("enriched", path, limit, fresh, lambda: _enrich_file(path, limit))


def _enrich_file(path: Path, limit: int | None) -> list:
    from streams.clean import clean_article
    from streams.entities import enrich
    from streams.ingest import decode_raw

    out = []
    with path.open("rb") as fh:
        for line in fh:
            if limit is not None and len(out) >= limit:
                break
            try:
                out.append(enrich(clean_article(decode_raw(line, max_bytes=2_000_000)), now=NOW))
            except Exception:  # noqa: BLE001 - a refused article is not part of the check
                continue
    return out


def facts_row(corpus: str, record) -> str:
    return json.dumps({"corpus": corpus, "id": record.id, "quotes": [dataclasses.asdict(q) for q in record.quotes],
                       "dates": [dataclasses.asdict(d) for d in record.dates],
                       "anchor": dataclasses.asdict(record.dates_anchor)}, ensure_ascii=False, sort_keys=True)


def main() -> None:
    from streams.facts import add_facts
    from streams.settings import shared_data_dir

    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / f"facts-equivalence-{os.getuid()}.jsonl")
    ap.add_argument("--expect", default=None)
    ap.add_argument("--limit", type=int, default=None, help="articles per corpus (default: all)")
    ap.add_argument("--fresh", action="store_true")
    args = ap.parse_args()
    rows, counts = [], {"quotes": 0, "dates": 0}
    for corpus in CORPORA:
        records = enriched(shared_data_dir() / corpus, args.limit, args.fresh)
        t0 = time.process_time()
        for r in records:
            add_facts(r)
        cpu = time.process_time() - t0
        print(f"{corpus}: {len(records)} articles, facts {cpu:.2f} s cpu ({cpu / max(1, len(records)) * 1e3:.3f} ms"
              " per article)", file=sys.stderr)
        for r in records:
            counts["quotes"] += len(r.quotes)
            counts["dates"] += len(r.dates)
            rows.append(facts_row(corpus, r))
    write_digest(rows, args.out, args.expect, f"{len(rows)} articles, {counts['quotes']} quotes, {counts['dates']} dates")

if __name__ == "__main__":
    main()
