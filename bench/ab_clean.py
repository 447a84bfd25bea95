"""A/B throughput of the clean stage: a git revision against the working tree, interleaved.

    PYTHONPATH=. .venv/bin/python bench/ab_clean.py --base HEAD~1 [--rounds 5] [--corpus ar|en|both]

On a shared, busy machine a single before/after run means little, so the two versions run
alternately in fresh processes (A B A B ...) and each reports CPU-time articles/s over the whole
corpus (after a warm-up pass); the medians and the per-round ratio are printed. The base revision
is exported with ``git archive`` into a temporary directory (nothing in the repo changes).
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
import json, sys, time, gc
sys.path.insert(0, sys.argv[1])
from streams.clean import clean_article, warm_up
from streams.errors import Rejected
from streams.records import RawArticle
arts = [RawArticle(id=r["id"], body=r["body"], title=r.get("title"), source=r.get("source"))
        for r in map(json.loads, open(sys.argv[2], encoding="utf-8"))]
warm_up()
def run():
    for a in arts:
        try:
            clean_article(a, now="2026-01-01T00:00:00.000Z")
        except Rejected:
            pass
run()
gc.collect()
c = time.process_time()
run()
print(json.dumps({"aps": len(arts) / (time.process_time() - c)}))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", default="HEAD")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--corpus", choices=("ar", "en", "both"), default="ar")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    from streams.settings import shared_data_dir

    data = shared_data_dir()
    files = {"ar": ["ar-saudinewsnet-6k.jsonl"], "en": ["en-bbc-1k.jsonl"]}.get(
        args.corpus, ["ar-saudinewsnet-6k.jsonl", "en-bbc-1k.jsonl"]
    )
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.base, "streams"], check=True, capture_output=True)
        subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
        env = {**os.environ, "PYTHONPATH": ""}
        for file in files:
            res: dict[str, list[float]] = {"base": [], "work": []}
            for _ in range(args.rounds):
                for label, path in (("base", tmp), ("work", str(ROOT))):
                    out = subprocess.run([sys.executable, "-c", CHILD, path, str(data / file)], check=True,
                                         capture_output=True, text=True, env=env)
                    res[label].append(json.loads(out.stdout.strip().splitlines()[-1])["aps"])
            ratios = [w / b for b, w in zip(res["base"], res["work"])]
            print(f"{file}: base {args.base} median {statistics.median(res['base']):,.0f} art/s/core "
                  f"{[round(x) for x in res['base']]}")
            print(f"{file}: work tree   median {statistics.median(res['work']):,.0f} art/s/core "
                  f"{[round(x) for x in res['work']]}  ratio median {statistics.median(ratios):.2f}x")


if __name__ == "__main__":
    main()
