"""A/B throughput of the story stage alone: a git revision against the working tree, interleaved.

    .venv/bin/python bench/ab_stories.py --enriched FILE --base main [--work REV] [--rounds 3]

The shared machine is noisy, so the two versions run alternately in fresh processes (A B A B
...). Each reads the enriched corpus (the output of ``news-streams process --no-stories``), sorts
it by ``published_at``, takes the records out of the garbage collector's view (``gc.freeze``: a
worker holds one record at a time, not 6,000), runs the corpus once through a throw-away index to
warm the per-word caches, then reports CPU-time articles/s of a second pass on a fresh index (a
long-running worker's steady state). Medians and the per-round ratio are printed. Revisions are
exported with ``git archive`` into a temporary directory (``--work`` unset: the working tree).

``--lockstep`` instead loads both revisions' ``streams.stories`` into one process (the base as
``streams.stories_base``) and feeds every article to both indexes one after the other, in
alternating order (A B, B A, ...), timing each call with the process CPU clock: both see the
same moment of a busy machine, so the ratio is far steadier than separate runs'.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import gc, json, sys, time
sys.path.insert(0, sys.argv[1])
import orjson
from streams.stories import StoryIndex
from streams.stories.evaluate import published_order
records = published_order(r for r in map(orjson.loads, open(sys.argv[2], "rb").read().splitlines())
                          if r.get("published_at"))
gc.collect()
gc.freeze()
warm = StoryIndex(now=lambda: 2e9)
for r in records:
    warm.assign(r)
del warm
gc.collect()
index = StoryIndex(now=lambda: 2e9)
t0 = time.process_time()
for r in records:
    index.assign(r)
cpu = time.process_time() - t0
print(json.dumps({"articles": len(records), "articles_per_s": len(records) / cpu}))
"""


LOCKSTEP = r"""
import gc, json, sys, time
sys.path.insert(0, sys.argv[1])
import orjson, streams
streams.__path__.append(sys.argv[2])  # the base's copy, renamed streams/stories_base
from streams.stories import StoryIndex as B
from streams.stories_base import StoryIndex as A
from streams.stories.evaluate import published_order
records = published_order(r for r in map(orjson.loads, open(sys.argv[3], "rb").read().splitlines())
                          if r.get("published_at"))
gc.collect()
gc.freeze()
for cls in (A, B):  # warm the per-word caches
    warm = cls(now=lambda: 2e9)
    for r in records:
        warm.assign(r)
gc.collect()
a, b = A(now=lambda: 2e9), B(now=lambda: 2e9)
cpu = {"A": 0, "B": 0}
clock = time.process_time_ns
for n, r in enumerate(records):
    for name, index in (("A", a), ("B", b)) if n % 2 == 0 else (("B", b), ("A", a)):
        t0 = clock()
        index.assign(r)
        cpu[name] += clock() - t0
print(json.dumps({k: len(records) / (v / 1e9) for k, v in cpu.items()}))
"""


def lockstep(base: str, enriched: str, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src = export(base, Path(tmp))
        pkg = Path(tmp) / "base" / "streams"
        pkg.mkdir(parents=True)
        (src / "streams" / "stories").rename(pkg / "stories_base")
        ratios = []
        for n in range(rounds):
            out = subprocess.run([sys.executable, "-c", LOCKSTEP, str(ROOT), str(pkg), enriched],
                                 check=True, capture_output=True, text=True).stdout
            rates = json.loads(out.splitlines()[-1])
            ratios.append(rates["B"] / rates["A"])
            print(f"round {n + 1} (lockstep): A {rates['A']:,.0f}/s  B {rates['B']:,.0f}/s  B/A {ratios[-1]:.2f}",
                  flush=True)
    print(f"median B/A (lockstep, {base} vs working tree): {statistics.median(ratios):.2f}")


def export(rev: str, into: Path) -> Path:
    out = into / rev.replace("/", "_")
    out.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "streams"], check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(out)], input=archive.stdout, check=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--enriched", required=True, help="enriched JSON Lines (news-streams process --no-stories)")
    ap.add_argument("--base", default="main")
    ap.add_argument("--work", default=None, help="revision for B (default: the working tree)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--lockstep", action="store_true", help="both revisions in one process, article by article")
    args = ap.parse_args()
    if args.lockstep:
        lockstep(args.base, args.enriched, args.rounds)
        return
    with tempfile.TemporaryDirectory() as tmp:
        roots = {"A": export(args.base, Path(tmp)), "B": export(args.work, Path(tmp)) if args.work else ROOT}
        runs: dict[str, list[float]] = {"A": [], "B": []}
        for n in range(args.rounds):
            for name in ("A", "B"):
                out = subprocess.run([sys.executable, "-c", CHILD, str(roots[name]), args.enriched],
                                     check=True, capture_output=True, text=True).stdout
                runs[name].append(json.loads(out.splitlines()[-1])["articles_per_s"])
            print(f"round {n + 1}: A {runs['A'][-1]:,.0f}/s  B {runs['B'][-1]:,.0f}/s  "
                  f"B/A {runs['B'][-1] / runs['A'][-1]:.2f}", flush=True)
    a, b = statistics.median(runs["A"]), statistics.median(runs["B"])
    print(f"median articles/s per CPU second: A ({args.base}) {a:,.0f}, B ({args.work or 'working tree'}) "
          f"{b:,.0f}, B/A {b / a:.2f}")


if __name__ == "__main__":
    main()
