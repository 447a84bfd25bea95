"""Benchmark the story stage alone, in process, on the shared Arabic corpus.

    .venv/bin/python bench/bench_stories.py [--enriched FILE] [--replays 10] [--store rocksdb]
    .venv/bin/python bench/bench_stories.py [--enriched FILE] --shards N [--replays 3]

The corpus is cleaned and enriched first (or read from ``--enriched``, the output of
``news-streams process --no-stories``); only story assignment (feature extraction, candidate
lookup, scoring, state updates, expiry) is timed, on one core, over the 6,000 articles in
published order. Then the corpus is replayed ``--replays`` times with timestamps shifted by 18
days per replay (a 60,000-article stream) to show that the state and the memory stay flat once
stories start closing. ``--store rocksdb`` keeps the index in RocksDB databases opened the way a
worker with ``NEWS_STORY_STORE=rocksdb://`` opens them (:mod:`bench.story_stores`) and prints
their size on disk as left (write-ahead logs included) and after a flush and compaction (the live
data), with the process's current and peak RSS. Figures on a shared machine are noisy: the load average is printed. The
input records are frozen out of the garbage collector (``gc.freeze``) unless ``--no-freeze``;
``bench/ab_stories.py`` compares two revisions interleaved.

``--shards N`` runs the sharded stage (:mod:`streams.stories.shards`) in process, StoryIndex
interleaved with it article by article (same load for both), and prints the CPU time per article
of each role (scatter, key shards, decider, JSON encoding and decoding of the messages), the
busiest shard's share, the messages and bytes per article, and each role's state after the
corpus and after ``--replays`` shifted copies.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.common import load_avg, machine_info, measure, peak_rss_mb  # noqa: E402
from bench.story_stores import compacted_bytes, disk_bytes, open_tables  # noqa: E402
from streams.devkit.local import vm_rss  # noqa: E402


def enriched_corpus(path: str | None) -> list[dict]:
    import orjson

    if path:
        return [orjson.loads(line) for line in Path(path).read_bytes().splitlines() if line.strip()]
    from streams.pipeline import process_payload, warm_up
    from streams.records import DeadLetter, SourcePosition
    from streams.settings import shared_data_dir

    corpus = shared_data_dir() / "ar-saudinewsnet-6k.jsonl"
    if not corpus.exists():
        sys.exit(f"shared corpus not found at {corpus} (set NEWS_SHARED_DATA or pass --enriched)")
    warm_up()
    out = []
    for n, line in enumerate(corpus.read_bytes().splitlines(), 1):
        result = process_payload(line, SourcePosition(file=str(corpus), line=n), max_bytes=2_000_000)
        if not isinstance(result, DeadLetter):
            out.append(orjson.loads(orjson.dumps(result)))
    return out


def shifted(records: list[dict], days: int) -> list[dict]:
    out = []
    for r in records:
        when = datetime.fromisoformat(r["published_at"]) + timedelta(days=days)
        out.append({**r, "id": f"{r['id']}~{days}", "published_at": when.isoformat()})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--enriched", help="enriched JSON Lines (skips cleaning and entities)")
    ap.add_argument("--replays", type=int, default=10, help="corpus replays for the state/memory check")
    ap.add_argument("--no-freeze", action="store_true",
                    help="leave the input records in the garbage collector's view (slower, harness cost)")
    ap.add_argument("--store", choices=("memory", "rocksdb"), default="memory",
                    help="the tables' store: Python dicts, or RocksDB as a worker opens it")
    ap.add_argument("--rocksdb-dir", default=None, help="where the RocksDB databases go (default: a temporary "
                    "directory, removed at the end)")
    ap.add_argument("--shards", type=int, default=0, help="the sharded stage with N key shards: CPU per role")
    args = ap.parse_args()
    if args.shards:
        from bench.bench_shards import main as shards_main

        return shards_main(args)

    from streams.stories import StoryIndex
    from streams.stories.evaluate import published_order

    t0 = time.perf_counter()
    records = published_order(r for r in enriched_corpus(args.enriched) if r.get("published_at"))
    prepare = time.perf_counter() - t0
    if not args.no_freeze:
        # The 6,000 parsed input records are the harness's, not the stage's: a worker holds one
        # record at a time. Left in the collector's view, every full collection walks them all
        # (about a third of the measured time), which says nothing about the stage.
        gc.collect()
        gc.freeze()
    tables, rocks_dir, cleanup = open_store(args.store, args.rocksdb_dir)
    index = StoryIndex(**tables)
    result = measure(lambda r: index.assign(r).reason is not None, records, sum(len(r.get("text_normalized") or "") for r in records), warm=0)
    print(f"story stage alone: {result['articles_per_s']:,.0f} articles/s per core "
          f"({result['wall_articles_per_s']:,.0f}/s wall), p50 {result['p50_ms']:.2f} ms, "
          f"p99 {result['p99_ms']:.2f} ms, max {result['max_ms']:.1f} ms over {result['articles']:,} articles "
          f"(target >= 1,000/s per core; cold caches; input {'in' if args.no_freeze else 'frozen out of'} the GC)")
    print(f"  state after the corpus: {index.state_size()}, {memory(tables, rocks_dir, compact=True)}")
    span = 18
    rows = []
    for replay in range(1, args.replays):
        for r in shifted(records, replay * span):
            index.assign(r)
        last = replay == args.replays - 1
        rows.append({"stream_articles": len(records) * (replay + 1), "state": index.state_size(),
                     "peak_rss_mb": round(peak_rss_mb()), "rss_mb": round(vm_rss(os.getpid()) / 2**20)})
        if rocks_dir is not None:
            rows[-1]["rocksdb_mb"] = round(disk_bytes(rocks_dir) / 2**20, 1)
        state = rows[-1]["state"]
        print(f"  after {rows[-1]['stream_articles']:>6,} articles: {state['articles']:,} articles, "
              f"{state['stories']:,} stories, {state['keys']:,} keys in the index; "
              f"{memory(tables, rocks_dir, compact=last)}")
        if last and rocks_dir is not None:
            rows[-1]["rocksdb_compacted_mb"] = round(disk_bytes(rocks_dir) / 2**20, 1)
    cleanup()
    print(json.dumps({"machine": machine_info(), "load_avg_after": load_avg(), "prepare_seconds": round(prepare, 1),
                      "stage": result, "replays": rows}))


def open_store(store: str, directory: str | None):
    """The StoryIndex stores: dicts, or RocksDB tables in ``directory`` (or a temporary one)."""
    if store == "memory":
        return {}, None, lambda: None
    import shutil
    import tempfile

    path = Path(directory or tempfile.mkdtemp(prefix="bench-stories-rocksdb-"))
    tables = open_tables(path)
    return tables, path, (lambda: None) if directory else (lambda: shutil.rmtree(path, ignore_errors=True))


def memory(tables: dict, rocks_dir: Path | None, *, compact: bool) -> str:
    """RSS now and at its peak; with RocksDB, the databases' size on disk (and after compaction)."""
    out = f"RSS {vm_rss(os.getpid()) / 2**20:.0f} MB (peak {peak_rss_mb():.0f} MB)"
    if rocks_dir is not None:
        out += f", RocksDB {disk_bytes(rocks_dir) / 2**20:.1f} MB on disk"
        if compact:
            out += f" ({compacted_bytes(tables, rocks_dir) / 2**20:.1f} MB after flush and compaction)"
    return out


if __name__ == "__main__":
    main()
