"""Cost of quotes and dates next to the entity stage, article by article (research data, read only).

    .venv/bin/python -m bench.bench_facts [--limit 2000]

For each article of the shared Arabic corpus (cleaned first) the entity stage (``enrich``) and the
facts step (``add_facts``) are timed back to back, each article once as a worker sees it (a second
run of ``enrich`` on the same article would be faster: its caches are warm), so load on a shared
box hits both alike. Prints CPU-time per article for both (mean, p50, p99), facts as a share of the
entity stage, the linear growth of facts with text length, and the machine.

``--against REV`` also times the facts code of a git revision (``streams/facts`` of REV, loaded
beside the working copy's) on the same articles, alternating which runs first, so an A/B on a
loaded box compares like with like (the entity stage's time is the same for both).
"""

from __future__ import annotations

import argparse
import copy
import importlib.util
import io
import json
import statistics
import subprocess
import sys
import tarfile
import tempfile
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


def facts_at(rev: str):
    """``add_facts`` of ``streams/facts`` at git revision ``rev`` (a package of its own)."""
    repo = Path(__file__).resolve().parents[1]
    tar = subprocess.run(["git", "-C", str(repo), "archive", rev, "streams/facts"], check=True,
                         capture_output=True).stdout
    root = Path(tempfile.mkdtemp(prefix="facts-at-"))
    with tarfile.open(fileobj=io.BytesIO(tar)) as tf:
        tf.extractall(root, filter="data")
    name = f"facts_at_{rev.replace('-', '_').replace('.', '_').replace('/', '_')}"
    pkg = root / "streams" / "facts"
    spec = importlib.util.spec_from_file_location(name, pkg / "__init__.py", submodule_search_locations=[str(pkg)])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module.add_facts


def _summary(ns: list[int]) -> dict:
    q = statistics.quantiles(ns, n=100)
    return {"mean_ms": statistics.fmean(ns) / 1e6, "p50_ms": q[49] / 1e6, "p99_ms": q[98] / 1e6}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=2000)
    ap.add_argument("--against", metavar="REV", help="also time streams/facts of this git revision (A/B)")
    args = ap.parse_args()
    arts = _cleaned(shared_data_dir() / "ar-saudinewsnet-6k.jsonl", args.limit)
    old_facts = facts_at(args.against) if args.against else None
    clock = time.thread_time_ns
    for a in arts[:50]:  # warm up: models, regexes
        add_facts(enrich(a, now=NOW))
        if old_facts:
            old_facts(enrich(a, now=NOW))
    arts = arts[50:]
    ent, fac, old = [], [], []
    for k, a in enumerate(arts):  # each article once, as a worker sees it
        t0 = clock(); e = enrich(a, now=NOW); t1 = clock()
        if old_facts is None:
            add_facts(e); t2 = clock()
        else:  # both on copies of the same record, in alternating order
            e2 = copy.copy(e)
            first, second = (add_facts, old_facts) if k % 2 else (old_facts, add_facts)
            t2a = clock(); first(e); t2b = clock(); second(e2); t2c = clock()
            new_ns, old_ns = (t2b - t2a, t2c - t2b) if k % 2 else (t2c - t2b, t2b - t2a)
            old.append(old_ns)
            t2 = t1 + new_ns
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
    if old:
        result["against"] = {"rev": args.against, "facts": _summary(old), "facts_share_of_entities": sum(old) / sum(ent)}
    print(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"\n{len(arts)} articles, each once, CPU time per article on one thread:")
    print(f"  entity stage  mean {e_s['mean_ms']:.2f} ms  p50 {e_s['p50_ms']:.2f}  p99 {e_s['p99_ms']:.2f}")
    print(f"  + facts       mean {f_s['mean_ms']:.3f} ms  p50 {f_s['p50_ms']:.3f}  p99 {f_s['p99_ms']:.3f}")
    print(f"  facts / entity stage: {share:.1%}")
    if old:
        o_s = result["against"]["facts"]
        print(f"  facts at {args.against}: mean {o_s['mean_ms']:.3f} ms  p50 {o_s['p50_ms']:.3f}  p99 {o_s['p99_ms']:.3f}"
              f"  ({sum(old) / sum(ent):.1%} of the entity stage; this tree's facts take {sum(fac) / sum(old):.0%} of it)")
    print("  facts vs text length: " + ", ".join(f"{g['chars']:,} chars {g['ms']:.1f} ms" for g in growth))
    print(f"  load average {load_avg()}")


if __name__ == "__main__":
    main()
