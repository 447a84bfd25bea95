"""Cost of quotes and dates next to the entity stage, article by article (research data, read only).

    .venv/bin/python -m bench.bench_facts [--limit 2000]

For each article of the shared Arabic corpus (cleaned first) the entity stage (``enrich``) and the
facts step (``add_facts``) are timed back to back, each article once as a worker sees it (a second
run of ``enrich`` on the same article would be faster: its caches are warm), so load on a shared
box hits both alike. Prints CPU-time per article for both (mean, p50, p99), facts as a share of the
entity stage, the linear growth of facts with text length, and the machine.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from bench.common import load_avg, machine_info
from streams.clean import clean_article
from streams.entities import enrich
from streams.facts import add_facts, extract_facts
from streams.ingest import decode_raw
from streams.settings import shared_data_dir

NOW = "2015-08-01T00:00:00.000Z"


def _cleaned(path: Path, limit: int):
    out = []
    with path.open("rb") as fh:
        for line in fh:
            if len(out) >= limit:
                break
            try:
                out.append(clean_article(decode_raw(line, max_bytes=2_000_000)))
            except Exception:  # noqa: BLE001 - a refused article is simply not timed
                continue
    return out


def _summary(ns: list[int]) -> dict:
    q = statistics.quantiles(ns, n=100)
    return {"mean_ms": statistics.fmean(ns) / 1e6, "p50_ms": q[49] / 1e6, "p99_ms": q[98] / 1e6}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=2000)
    args = ap.parse_args()
    arts = _cleaned(shared_data_dir() / "ar-saudinewsnet-6k.jsonl", args.limit)
    clock = time.thread_time_ns
    for a in arts[:50]:  # warm up: models, regexes
        add_facts(enrich(a, now=NOW))
    arts = arts[50:]
    ent, fac = [], []
    for a in arts:  # each article once, as a worker sees it
        t0 = clock(); e = enrich(a, now=NOW); t1 = clock(); add_facts(e); t2 = clock()
        ent.append(t1 - t0); fac.append(t2 - t1)
    e_s, f_s = _summary(ent), _summary(fac)
    share = sum(fac) / sum(ent)
    # growth with size: one article's text repeated 1x .. 64x
    base = max(arts, key=lambda a: len(a.text))
    growth = []
    for k in (1, 4, 16, 64):
        text = "\n\n".join([base.text] * k)
        t0 = clock()
        extract_facts(text, None, "2015-08-01", None, None)
        growth.append({"chars": len(text), "ms": (clock() - t0) / 1e6})
    result = {"articles": len(arts), "entities": e_s, "facts": f_s,
              "facts_share_of_entities": share, "growth": growth, "machine": machine_info(), "load": load_avg()}
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"\n{len(arts)} articles, each once, CPU time per article on one thread:")
    print(f"  entity stage  mean {e_s['mean_ms']:.2f} ms  p50 {e_s['p50_ms']:.2f}  p99 {e_s['p99_ms']:.2f}")
    print(f"  + facts       mean {f_s['mean_ms']:.3f} ms  p50 {f_s['p50_ms']:.3f}  p99 {f_s['p99_ms']:.3f}")
    print(f"  facts / entity stage: {share:.1%}")
    print("  facts vs text length: " + ", ".join(f"{g['chars']:,} chars {g['ms']:.1f} ms" for g in growth))
    print(f"  load average {load_avg()}")


if __name__ == "__main__":
    main()
