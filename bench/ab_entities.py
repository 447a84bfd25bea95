"""A/B throughput of the entity stage: a git revision against the working tree, interleaved.

    .venv/bin/python bench/ab_entities.py --base main [--work REV] [--rounds 3] [--limit N]

The shared machine is noisy, so the two versions run alternately in fresh processes (A B A B
...). Each cleans the Saudi corpus with its own cleaner, loads its model (load time reported),
enriches every article once to warm its caches, then reports CPU-time articles/s of a second
pass (the steady state of a long-running worker) and its peak RSS. Medians and the per-round
ratio are printed. The revisions are exported with ``git archive`` into a temporary directory
(``--work`` unset: the working tree itself, which must then not change during the run).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, sys, time, gc, resource
sys.path.insert(0, sys.argv[1])
from streams.clean import clean_article
from streams.errors import Rejected
from streams.records import RawArticle
limit = int(sys.argv[3])
arts = []
for line in open(sys.argv[2], encoding="utf-8"):
    r = json.loads(line)
    try:
        arts.append(clean_article(RawArticle(id=r["id"], body=r["body"], title=r.get("title"), source=r.get("source"))))
    except Rejected:
        pass
    if limit and len(arts) >= limit:
        break
t = time.perf_counter()
from streams.entities import enrich
from streams.entities.model import load_model
load_model()
load = time.perf_counter() - t
for a in arts:
    enrich(a, now="2020-01-01T00:00:00.000Z")
gc.collect()
c = time.process_time()
for a in arts:
    enrich(a, now="2020-01-01T00:00:00.000Z")
aps = len(arts) / (time.process_time() - c)
print(json.dumps({"aps": aps, "load": load, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _export(rev: str, into: Path) -> str:
    into.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "streams"], check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return str(into)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", default="main")
    ap.add_argument("--work", default=None, help="a revision to compare instead of the working tree")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--limit", type=int, default=0, help="first N articles only (0: all 6,000)")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from streams.settings import shared_data_dir

    corpus = shared_data_dir() / "ar-saudinewsnet-6k.jsonl"
    res: dict[str, list[dict]] = {"base": [], "work": []}
    with tempfile.TemporaryDirectory() as tmp:
        trees = {"base": _export(args.base, Path(tmp, "base")),
                 "work": _export(args.work, Path(tmp, "work")) if args.work else str(ROOT)}
        env = {**os.environ, "PYTHONPATH": ""}
        for _ in range(args.rounds):
            for label, path in trees.items():
                out = subprocess.run([sys.executable, "-c", CHILD, path, str(corpus), str(args.limit)], check=True,
                                     capture_output=True, text=True, env=env)
                res[label].append(json.loads(out.stdout.strip().splitlines()[-1]))
    for label, name in (("base", f"base {args.base}"), ("work", args.work or "work tree")):
        aps = [r["aps"] for r in res[label]]
        print(f"{name:>16}: median {statistics.median(aps):,.0f} art/s/core {[round(x) for x in aps]}; "
              f"model load median {statistics.median(r['load'] for r in res[label]):.2f}s; "
              f"peak RSS max {max(r['rss_mb'] for r in res[label]):.0f} MB")
    ratios = [w["aps"] / b["aps"] for b, w in zip(res["base"], res["work"])]
    print(f"ratio work/base per round {[round(x, 2) for x in ratios]}, median {statistics.median(ratios):.2f}x")


if __name__ == "__main__":
    main()
