"""Benchmark of the clean stage (not a test): throughput per core, latency, linearity.

    .venv/bin/python bench/bench_clean.py            # full run (~1 min)
    .venv/bin/python bench/bench_clean.py --quick    # 1,000 articles per corpus, sizes to 1 MB

Single process, single thread, so articles/s is *per core*. Reads the shared corpora from
``NEWS_SHARED_DATA`` (default ``../shared/data``); prints the machine it ran on, because the
figures mean nothing without it.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import sys
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streams.clean import clean_article, warm_up  # noqa: E402
from streams.errors import Rejected  # noqa: E402
from streams.records import RawArticle  # noqa: E402
from streams.settings import shared_data_dir  # noqa: E402


def machine() -> str:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in ("lingua-language-detector", "trafilatura", "regex"))
    return (
        f"CPU: {model} | cores: {os.cpu_count()} (usable {usable}) | load avg 1 min: {load:.2f}\n"
        f"Python {platform.python_version()} ({platform.python_implementation()}) on {platform.system()} | {versions}"
    )


def load(path: Path, limit: int | None) -> list[RawArticle]:
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            rows.append(RawArticle(id=r["id"], body=r["body"], title=r.get("title"), source=r.get("source")))
            if limit and len(rows) >= limit:
                break
    return rows


def run_corpus(name: str, articles: list[RawArticle]) -> None:
    warm_up()  # what a worker does at start-up: build the detectors, load lingua's models
    for a in articles[:200]:
        try:
            clean_article(a, now="2026-01-01T00:00:00.000Z")
        except Rejected:
            pass
    gc.collect()
    times: list[int] = []
    rejected = 0
    clock = time.perf_counter_ns
    start = clock()
    for a in articles:
        t0 = clock()
        try:
            clean_article(a, now="2026-01-01T00:00:00.000Z")
        except Rejected:
            rejected += 1
        times.append(clock() - t0)
    total = (clock() - start) / 1e9
    mb = sum(len(a.body.encode("utf-8")) for a in articles) / 1e6
    chars = statistics.mean(len(a.body) for a in articles)
    q = statistics.quantiles(times, n=100)
    print(
        f"{name:<28} {len(articles):>6} art  {len(articles) / total:>8,.0f} art/s/core  {mb / total:>6.2f} MB/s  "
        f"p50 {q[49] / 1e6:.3f} ms  p99 {q[98] / 1e6:.3f} ms  max {max(times) / 1e6:.1f} ms  "
        f"(avg {chars:,.0f} chars, {rejected} rejected)"
    )


UNIT = (
    "الرياض 25 شوال 1436هـ الموافق 10 أغسطس 2015م واس\n"
    "أعلنت الحكومـــة\u00a0اليوم عن خطةٍ جديدة\u200f لتنويع مصادر الاقتصاد الوطني، وقال الوزيرُ إنّ "
    "المرحلة المقبلة ستشهد ﻹطلاق مشاريع كبرى في 13 منطقة.\n \u00a0\n"
    "بومبيو في مؤتمر صحفي- جيتي\nاقرأ أيضا: تفاصيل أخرى\n"
)


def linearity(sizes: list[int]) -> None:
    print(f"\n{'input':>8} {'ms':>10} {'µs/KB':>8}   (synthetic Arabic body with every kind of noise, one article)")
    base = None
    for size in sizes:
        body = (UNIT * (size // len(UNIT.encode()) + 1)).encode()[:size].decode("utf-8", "ignore")
        reps = 5 if size <= 100_000 else 2
        best = float("inf")
        for _ in range(reps):
            t0 = time.perf_counter()
            clean_article(RawArticle(id="synthetic", body=body), now="2026-01-01T00:00:00.000Z")
            best = min(best, time.perf_counter() - t0)
        per_kb = best * 1e6 / (size / 1000)
        base = base or per_kb
        label = f"{size / 1e6:g} MB" if size >= 1_000_000 else f"{size / 1000:g} KB"
        print(f"{label:>8} {best * 1000:>10.2f} {per_kb:>8.1f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="1,000 articles per corpus, sizes up to 1 MB")
    args = ap.parse_args()
    limit = 1000 if args.quick else None
    data = shared_data_dir()
    print(machine())
    print()
    for name, file in (("ar-saudinewsnet-6k (plain)", "ar-saudinewsnet-6k.jsonl"), ("en-bbc-1k (plain)", "en-bbc-1k.jsonl")):
        path = data / file
        if path.exists():
            run_corpus(name, load(path, limit))
        else:
            print(f"{name}: {path} not found (set NEWS_SHARED_DATA)")
    html = sorted((data / "html").glob("*/*.source.html"))
    if html:
        pages = [RawArticle(id=p.name, body=p.read_text(encoding="utf-8", errors="replace")) for p in html]
        run_corpus("html pages (trafilatura)", pages * 3)
    sizes = [1_000, 10_000, 100_000, 1_000_000] + ([] if args.quick else [5_000_000])
    linearity(sizes)


if __name__ == "__main__":
    main()
