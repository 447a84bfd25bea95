"""Benchmark of the clean stage (not a test): throughput per core, latency, linearity.

    .venv/bin/python bench/bench_clean.py            # full run (~1 min)
    .venv/bin/python bench/bench_clean.py --quick    # 1,000 articles per corpus, sizes to 1 MB

Single process, single thread, so articles/s is *per core*. Reads the shared corpora from
``NEWS_SHARED_DATA`` (default ``../shared/data``); prints the machine it ran on, because the
figures mean nothing without it.
"""

from __future__ import annotations

import argparse
import json
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

from bench.common import machine_info, measure  # noqa: E402


def machine() -> str:
    m = machine_info()
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in ("lingua-language-detector", "trafilatura", "regex"))
    return (
        f"CPU: {m['cpu']} | cores: {m['cores']} (usable {m['usable_cores']}) | load avg 1 min: {m['load_avg'][0]:.2f}\n"
        f"Python {m['python']} on {platform.system()} | {versions}"
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


def run_corpus(name: str, articles: list[RawArticle]) -> dict:
    warm_up()  # what a worker does at start-up: build the detectors, load lingua's models

    def one(a: RawArticle) -> bool:
        try:
            clean_article(a, now="2026-01-01T00:00:00.000Z")
        except Rejected:
            return True
        return False

    mb = sum(len(a.body.encode("utf-8")) for a in articles)
    r = measure(one, articles, mb)
    chars = statistics.mean(len(a.body) for a in articles)
    print(
        f"{name:<28} {len(articles):>6} art  {r['articles_per_s']:>8,.0f} art/s/core  {r['mb_per_s']:>6.2f} MB/s  "
        f"p50 {r['p50_ms']:.3f} ms  p99 {r['p99_ms']:.3f} ms  max {r['max_ms']:.1f} ms  "
        f"(avg {chars:,.0f} chars, {r['refused']} rejected)"
    )
    return r


UNIT = (
    "الرياض 25 شوال 1436هـ الموافق 10 أغسطس 2015م واس\n"
    "أعلنت الحكومـــة\u00a0اليوم عن خطةٍ جديدة\u200f لتنويع مصادر الاقتصاد الوطني، وقال الوزيرُ إنّ "
    "المرحلة المقبلة ستشهد ﻹطلاق مشاريع كبرى في 13 منطقة.\n \u00a0\n"
    "بومبيو في مؤتمر صحفي- جيتي\nاقرأ أيضا: تفاصيل أخرى\n"
)


def synthetic_body(size: int) -> str:
    """A synthetic Arabic body of about ``size`` UTF-8 bytes with every kind of noise."""
    return (UNIT * (size // len(UNIT.encode()) + 1)).encode()[:size].decode("utf-8", "ignore")


def linearity(sizes: list[int]) -> None:
    print(f"\n{'input':>8} {'ms':>10} {'µs/KB':>8}   (synthetic Arabic body with every kind of noise, one article)")
    base = None
    for size in sizes:
        body = synthetic_body(size)
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
