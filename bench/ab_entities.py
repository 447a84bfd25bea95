"""A/B throughput of the entity stage: a git revision against the working tree, interleaved.

    .venv/bin/python bench/ab_entities.py --base main [--work REV] [--rounds 3] [--limit N]
                                          [--batches 0]

The shared machine is noisy, so the two versions run alternately in fresh processes (A B A B
...). Each cleans the Saudi corpus with its own cleaner, loads its model (load time reported),
enriches every article once to warm its caches, then reports CPU-time articles/s of a second
pass (the steady state of a long-running worker) and its peak RSS. Medians and the per-round
ratio are printed. The revisions are exported with ``git archive`` into a temporary directory
(``--work`` unset: the working tree itself, which must then not change during the run).

``--batches N``: finer interleaving for a loaded box, where a whole pass of one version can
land in a busy minute. Each round keeps both processes alive after the warm-up and splits the
timed pass into N batches run A B A B ... (each batch the same slice of the corpus for both); the ratio is
taken per batch (so both sides of a ratio ran within seconds of each other) and the median of
all batches is printed with the per-round medians.
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
batches = int(sys.argv[4])
if batches:  # timed pass on request, batch by batch: the parent interleaves the two versions
    print(json.dumps({"ready": len(arts)}), flush=True)
    for line in sys.stdin:
        lo, hi = json.loads(line)
        c = time.process_time()
        for a in arts[lo:hi]:
            enrich(a, now="2020-01-01T00:00:00.000Z")
        print(json.dumps({"cpu": time.process_time() - c}), flush=True)
    aps = 0.0  # the parent computes it from the batches
else:
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
    ap.add_argument("--batches", type=int, default=0, help="interleave the timed pass in N batches (0: whole passes)")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from streams.settings import shared_data_dir

    corpus = shared_data_dir() / "ar-saudinewsnet-6k.jsonl"
    res: dict[str, list[dict]] = {"base": [], "work": []}
    with tempfile.TemporaryDirectory() as tmp:
        trees = {"base": _export(args.base, Path(tmp, "base")),
                 "work": _export(args.work, Path(tmp, "work")) if args.work else str(ROOT)}
        env = {**os.environ, "PYTHONPATH": ""}
        batch_ratios: list[list[float]] = []
        for _ in range(args.rounds):
            if args.batches:
                batch_ratios.append(_interleaved(trees, corpus, args, env, res))
                continue
            for label, path in trees.items():
                out = subprocess.run([sys.executable, "-c", CHILD, path, str(corpus), str(args.limit), "0"],
                                     check=True, capture_output=True, text=True, env=env)
                res[label].append(json.loads(out.stdout.strip().splitlines()[-1]))
    for label, name in (("base", f"base {args.base}"), ("work", args.work or "work tree")):
        aps = [r["aps"] for r in res[label]]
        print(f"{name:>16}: median {statistics.median(aps):,.0f} art/s/core {[round(x) for x in aps]}; "
              f"model load median {statistics.median(r['load'] for r in res[label]):.2f}s; "
              f"peak RSS max {max(r['rss_mb'] for r in res[label]):.0f} MB")
    ratios = [w["aps"] / b["aps"] for b, w in zip(res["base"], res["work"])]
    print(f"ratio work/base per round {[round(x, 2) for x in ratios]}, median {statistics.median(ratios):.2f}x")
    if batch_ratios:
        every = [x for r in batch_ratios for x in r]
        print(f"ratio work/base per batch ({len(every)} batches): median {statistics.median(every):.2f}x, "
              f"quartiles {statistics.quantiles(every, n=4)[0]:.2f}-{statistics.quantiles(every, n=4)[2]:.2f}; "
              f"per-round medians {[round(statistics.median(r), 2) for r in batch_ratios]}")


def _interleaved(trees: dict[str, str], corpus: Path, args, env: dict, res: dict[str, list[dict]]) -> list[float]:
    """One round of ``--batches``: both versions loaded and warmed, then the timed pass batch by
    batch, A B A B (the first of each pair alternating); returns the per-batch ratios."""
    procs = {label: subprocess.Popen([sys.executable, "-c", CHILD, path, str(corpus), str(args.limit), str(args.batches)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
             for label, path in trees.items()}
    try:
        n = min(json.loads(p.stdout.readline())["ready"] for p in procs.values())
        cuts = [n * i // args.batches for i in range(args.batches + 1)]
        cpu: dict[str, list[float]] = {"base": [], "work": []}
        for i, (lo, hi) in enumerate(zip(cuts, cuts[1:])):
            for label in (("base", "work") if i % 2 == 0 else ("work", "base")):
                procs[label].stdin.write(json.dumps([lo, hi]) + "\n")
                procs[label].stdin.flush()
                cpu[label].append(json.loads(procs[label].stdout.readline())["cpu"])
        for label, p in procs.items():
            p.stdin.close()
            summary = json.loads(p.stdout.read().strip().splitlines()[-1])
            summary["aps"] = n / sum(cpu[label])
            res[label].append(summary)
            p.wait()
        return [b / w for b, w in zip(cpu["base"], cpu["work"]) if w > 0]
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.kill()


if __name__ == "__main__":
    main()
