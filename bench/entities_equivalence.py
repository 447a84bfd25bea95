"""Check that the entity stage's output has not changed (for performance work).

    .venv/bin/python bench/entities_equivalence.py [--out FILE] [--expect DIGEST] [--limit N]
                                                   [--reverse] [--small-caches]

Runs ``enrich`` (fixed ``now=``) over the shared Arabic corpus (6,000 articles) and the English
one (1,000), writes one JSON line of entities per article to ``--out`` (default: a file in the
temporary directory, never in the repo: the corpora are research-only) and prints the SHA-256 of
that file. ``--expect`` exits non-zero when the digest differs. ``--reverse`` processes the
articles in reverse order and ``--small-caches`` shrinks the per-token caches so they evict
often: the output must not depend on what the caches hold. Cleaned articles are kept in the
temporary directory between runs (``--fresh`` rebuilds them).
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

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.bench_entities import load_articles  # noqa: E402
from bench.common import cached, write_digest  # noqa: E402

NOW = "2020-01-01T00:00:00.000Z"


def cleaned(path: Path, limit: int | None, fresh: bool) -> list:
    return cached("cleaned", path, limit, fresh, lambda: load_articles(path, limit)[0])


def main() -> None:
    ap = argparse.ArgumentParser()
    shared = Path(os.environ.get("NEWS_SHARED_DATA") or REPO.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / f"entities-equivalence-{os.getuid()}.jsonl")
    ap.add_argument("--expect", default=None)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--reverse", action="store_true")
    ap.add_argument("--small-caches", action="store_true")
    ap.add_argument("--fresh", action="store_true")
    args = ap.parse_args()

    from streams.entities import enrich
    from streams.entities.model import load_model

    if args.small_caches:
        from streams.entities import tokencache

        tokencache.TOKEN_CACHE_MAX = 3_000
    load_model()
    rows = []
    for corpus in ("ar-saudinewsnet-6k.jsonl", "en-bbc-1k.jsonl"):
        arts = cleaned(shared / corpus, args.limit, args.fresh)
        t0 = time.process_time()
        order = list(reversed(arts)) if args.reverse else arts
        out = {}
        for a in order:
            e = enrich(a, now=NOW)
            out[a.id] = [dataclasses.asdict(x) for x in e.entities]
        print(f"{corpus}: {len(arts)} articles, {time.process_time() - t0:.1f} s cpu", file=sys.stderr)
        rows += [json.dumps({"corpus": corpus, "id": a.id, "entities": out[a.id]}, ensure_ascii=False, sort_keys=True)
                 for a in arts]
    write_digest(rows, args.out, args.expect, f"{len(rows)} articles")

if __name__ == "__main__":
    main()
