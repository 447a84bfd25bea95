"""Benchmark the entity stage on the shared Arabic corpus (research-only data: read, never shipped).

    .venv/bin/python bench/bench_entities.py [--limit N] [--corpus PATH]

Prints articles/s on one core, tokens/s, p50/p99 latency per article, model load time and the
machine. Articles are cleaned first with ``streams.clean.clean_article`` when it works (else the
raw body with whitespace normalised); only ``enrich`` is timed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def cpu_model() -> str:
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_articles(path: Path, limit: int | None):
    from streams.records import CleanedArticle, RawArticle

    try:
        from streams.clean import clean_article
    except Exception:  # noqa: BLE001
        clean_article = None
    out, fallback = [], 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            raw = RawArticle(id=str(d["id"]), body=d.get("body") or "", title=d.get("title"), source=d.get("source"))
            c = None
            if clean_article is not None:
                try:
                    c = clean_article(raw)
                except Exception:  # noqa: BLE001
                    c = None
            if c is None:
                fallback += 1
                text = "\n\n".join(" ".join(p.split()) for p in raw.body.splitlines() if p.strip())
                if not text:
                    continue
                c = CleanedArticle(id=raw.id, text=text, text_normalized=text, title=raw.title, source=raw.source,
                                   url=None, section=None, language="ar", language_confidence=1.0, published_at=None,
                                   scraped_at=None, ingested_at=None, cleaned_at="1970-01-01T00:00:00.000Z",
                                   content_hash="", paragraphs=[], sentence_count=0, word_count=0, char_count=len(text))
            out.append(c)
            if limit and len(out) >= limit:
                break
    how = "cleaned by clean_article" if not fallback else f"{fallback} of them raw body, whitespace-normalised (clean_article unavailable or rejected them)"
    return out, how


def main() -> None:
    ap = argparse.ArgumentParser()
    shared = Path(os.environ.get("NEWS_SHARED_DATA") or REPO.parent / "shared" / "data")
    ap.add_argument("--corpus", type=Path, default=shared / "ar-saudinewsnet-6k.jsonl")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--model", type=Path, default=None, help="model file (default: the packaged one)")
    args = ap.parse_args()

    t0 = time.perf_counter()
    from streams.entities import extract as extract_mod
    from streams.entities.model import load_model

    model = load_model(args.model)
    load_s = time.perf_counter() - t0
    if args.model:
        extract_mod.load_model = lambda: model  # enrich() uses the packaged model otherwise

    arts, how = load_articles(args.corpus, args.limit)
    from streams.entities import enrich
    from streams.entities.tokenize import tokenize

    ntok = sum(len(tokenize(a.text)) + len(tokenize(a.title or "")) for a in arts)
    nchar = sum(len(a.text) for a in arts)
    enrich(arts[0], now="2020-01-01T00:00:00.000Z")  # warm up
    lat = []
    nent = 0
    t1 = time.process_time()
    w1 = time.perf_counter()
    for a in arts:
        s = time.perf_counter()
        e = enrich(a, now="2020-01-01T00:00:00.000Z")
        lat.append(time.perf_counter() - s)
        nent += len(e.entities)
    cpu = time.process_time() - t1
    wall = time.perf_counter() - w1
    lat.sort()
    p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))] * 1000  # noqa: E731
    print(f"machine: {cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()} ({platform.machine()})")
    size = sum(p.stat().st_size for p in model.path.parent.glob(model.path.stem + ".*"))
    print(f"model load: {load_s:.2f}s ({model.path.name}, {len(model.stages)} stage(s); model files {size / 1e6:.1f} MB)")
    print(f"corpus: {len(arts)} articles ({how}); avg {nchar / len(arts):.0f} chars, {ntok / len(arts):.0f} tokens")
    print(f"articles/s per core: {len(arts) / cpu:,.0f} (cpu {cpu:.2f}s, wall {wall:.2f}s)")
    print(f"tokens/s per core: {ntok / cpu:,.0f}")
    print(f"latency per article: p50 {p(0.50):.2f} ms, p99 {p(0.99):.2f} ms, max {lat[-1] * 1000:.1f} ms")
    print(f"entities per article: {nent / len(arts):.1f}")
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
