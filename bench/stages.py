"""The stages in process, one (stage, corpus) per process so that peak RSS is that stage's.

    .venv/bin/python -m bench.stages clean|entities|both CORPUS.jsonl [--articles N]
    .venv/bin/python -m bench.stages growth --sizes 1000,10000,100000,1000000

Prints one JSON object. ``bench.run`` calls this for every row of its table.

* ``clean``: ``clean_article`` on each article (``bench_clean.run_corpus``, the stage's own
  benchmark);
* ``entities``: ``enrich`` on the cleaned articles (input prepared by ``bench_entities``);
* ``both``: ``process_payload`` on the raw JSON line: decode and validate, clean, enrich, which is
  what a worker's two agents compute per record (without Kafka and without serialisation).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import lines, measure, peak_rss_mb  # noqa: E402

NOW = "2026-01-01T00:00:00.000Z"


def stage_clean(path: Path, limit: int | None) -> dict:
    from bench.bench_clean import load, run_corpus

    articles = load(path, limit)
    return run_corpus(path.stem, articles)


def stage_entities(path: Path, limit: int | None) -> dict:
    from bench.bench_entities import load_articles
    from streams.entities import enrich
    from streams.pipeline import warm_up

    warm_up()
    articles, how = load_articles(path, limit)
    nbytes = sum(len(a.text.encode()) + len((a.title or "").encode()) for a in articles)

    def one(a) -> bool:
        enrich(a, now=NOW)
        return False

    return {**measure(one, articles, nbytes), "input": how}


def stage_both(path: Path, limit: int | None) -> dict:
    from streams.pipeline import process_payload, warm_up
    from streams.records import DeadLetter, SourcePosition

    warm_up()
    payloads = lines(path, limit)
    source = SourcePosition(file=str(path), line=0)

    def one(p: bytes) -> bool:
        return isinstance(process_payload(p, source, max_bytes=2_000_000), DeadLetter)

    return measure(one, payloads, sum(len(p) for p in payloads))


def growth(sizes: list[int]) -> list[dict]:
    """Time per article against its size, for cleaning and for both stages (synthetic Arabic)."""
    from bench.bench_clean import synthetic_body
    from streams.pipeline import process_payload, warm_up
    from streams.records import SourcePosition

    warm_up()
    source = SourcePosition(file="synthetic", line=0)
    rows = []
    for size in sizes:
        payload = orjson.dumps({"id": f"synthetic-{size}", "body": synthetic_body(size)})
        reps = 5 if size <= 100_000 else 2
        best = float("inf")
        for _ in range(reps):
            t0 = time.perf_counter()
            process_payload(payload, source, max_bytes=16_000_000)
            best = min(best, time.perf_counter() - t0)
        rows.append({"bytes": size, "ms": best * 1000, "us_per_kb": best * 1e6 / (size / 1000)})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("stage", choices=["clean", "entities", "both", "growth"])
    ap.add_argument("corpus", nargs="?", type=Path)
    ap.add_argument("--articles", type=int, default=None)
    ap.add_argument("--sizes", default="1000,10000,100000,1000000")
    args = ap.parse_args()
    if args.stage == "growth":
        out: object = {"rows": growth([int(s) for s in args.sizes.split(",")])}
    else:
        fn = {"clean": stage_clean, "entities": stage_entities, "both": stage_both}[args.stage]
        out = fn(args.corpus, args.articles)
    out["peak_rss_mb"] = peak_rss_mb()
    sys.stdout.flush()
    print("\nRESULT " + orjson.dumps(out).decode())


if __name__ == "__main__":
    main()
