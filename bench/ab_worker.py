"""A/B of the worker's own cost: two variants of ``news-streams worker`` in alternation, one run.

    .venv/bin/python -m bench.ab_worker --base c2e14b8                  # a revision against the working tree
    .venv/bin/python -m bench.ab_worker --a NEWS_PRODUCER_LINGER_MS=5 --b NEWS_PRODUCER_LINGER_MS=50
    .venv/bin/python -m bench.ab_worker --base c2e14b8 --rounds 4 --articles 1000 --bootstrap 127.0.0.1:19092

On a shared box rates drift with the neighbours' load, so the two variants run in alternation
(A B, B A, A B, ...), each round on fresh topics with a fresh worker draining the same backlog
(the first N Arabic articles), and the figure compared is the worker's **CPU ms per article**
(user + system, from ``/proc``), steadier than articles/s. ``--base REV`` runs that revision's
``streams`` package (``git archive`` into a temporary directory, the worker's current directory
and first on ``PYTHONPATH``)
as variant A and the working tree as B; ``--a``/``--b`` add environment variables to a variant
(settings A/B in one revision). ``--stub-stages`` replaces both variants' stages by look-ups of
results computed at start-up (:mod:`bench.stubstages`): the CPU per article is then the worker's
cost beyond its stages alone, measured far more precisely. Prints each round and the median
ratio B/A; ``--out`` keeps the JSON.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import stubstages  # noqa: E402
from bench.common import lines, load_avg  # noqa: E402


def export(rev: str, into: Path) -> Path:
    """``streams/`` and ``schemas/`` of ``rev`` under ``into`` (the directory for ``PYTHONPATH``)."""
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "archive", rev, "streams", "schemas"], cwd=ROOT, check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def proc_times(pid: int) -> tuple[float, float]:
    """(user, system) CPU seconds of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def one_round(base, payloads: list[bytes], env: dict[str, str], workdir: Path, partitions: int,
              cwd: Path = ROOT, process: type | None = None) -> dict:
    """One worker (started in ``cwd`` with ``env`` added: ``python -m`` imports from its current
    directory first) drains the backlog on fresh topics."""
    from bench import e2e

    settings = e2e.scenario(base, "ab", workdir, partitions)
    saved, here = dict(os.environ), os.getcwd()
    os.environ.update(env)  # WorkerProcess passes the environment and the directory on
    os.chdir(cwd)
    try:
        (worker,) = e2e.start_workers(settings, 1, workdir, **({"process": process} if process else {}))
    finally:
        os.chdir(here)
        os.environ.clear()
        os.environ.update(saved)
    try:
        u0, s0 = proc_times(worker.pid)
        result = e2e.throughput(settings, e2e.keyed(payloads), passthrough=False,
                                timeout=max(180.0, len(payloads) / 10))
        u1, s1 = proc_times(worker.pid)
        rss = worker.rss_bytes()
    finally:
        code = worker.stop()
    n = len(payloads)
    return {"articles_per_s": result["articles_per_s"], "cpu_ms_per_article": (u1 - u0 + s1 - s0) * 1000 / n,
            "user_ms_per_article": (u1 - u0) * 1000 / n, "system_ms_per_article": (s1 - s0) * 1000 / n,
            "duplicates": result["duplicates"], "outputs": result["outputs"], "rss_mb": (rss or 0) / 1e6,
            "exit_code": code, "load_avg": load_avg()}


def env_pairs(items: list[str]) -> dict[str, str]:
    return dict(item.split("=", 1) for item in items)


def main() -> None:
    from streams.settings import Settings, shared_data_dir

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", help="revision run as variant A (the working tree is B)")
    ap.add_argument("--a", nargs="*", default=[], help="VAR=value for variant A")
    ap.add_argument("--b", nargs="*", default=[], help="VAR=value for variant B")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--articles", type=int, default=1000)
    ap.add_argument("--partitions", type=int, default=4)
    ap.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092"))
    ap.add_argument("--stub-stages", action="store_true", help="stages replaced by look-ups: the cost beyond them")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()

    corpus = shared_data_dir() / "ar-saudinewsnet-6k.jsonl"
    payloads = lines(corpus, args.articles)
    process = None
    if args.stub_stages:
        os.environ.update(NEWS_STUB_CORPUS=str(corpus), NEWS_STUB_ARTICLES=str(args.articles))
        process = stubstages.worker_class()
    workdir = Path(tempfile.mkdtemp(prefix="ab-worker-"))
    base = replace(Settings.from_env(), kafka_bootstrap_servers=args.bootstrap)
    variants = {"A": env_pairs(args.a), "B": env_pairs(args.b)}
    cwd = {"A": ROOT, "B": ROOT}
    if args.base:
        cwd["A"] = export(args.base, workdir / "base")
        variants["A"]["PYTHONPATH"] = os.pathsep.join(filter(None, [str(cwd["A"]), os.environ.get("PYTHONPATH")]))
    label = {"A": args.base or " ".join(args.a) or "A", "B": "working tree" if args.base else " ".join(args.b) or "B"}
    rows: list[dict] = []
    print(f"A = {label['A']}; B = {label['B']}; {len(payloads)} articles, {args.partitions} partitions, "
          f"{'stages stubbed (cost beyond them only), ' if args.stub_stages else ''}"
          f"load {load_avg()}", flush=True)
    for i in range(args.rounds):
        order = ("A", "B") if i % 2 == 0 else ("B", "A")
        for name in order:
            r = one_round(base, payloads, variants[name], workdir, args.partitions, cwd[name], process)
            r.update(round=i, variant=name)
            rows.append(r)
            print(f"  round {i} {name}: {r['articles_per_s']:6.1f} art/s  CPU {r['cpu_ms_per_article']:6.2f} ms/art "
                  f"(user {r['user_ms_per_article']:.2f}, sys {r['system_ms_per_article']:.2f})  RSS "
                  f"{r['rss_mb']:.0f} MB  dup {r['duplicates']}  load {r['load_avg'][0]:.1f}", flush=True)
    ratios = []
    for i in range(args.rounds):
        a, b = (next(r for r in rows if r["round"] == i and r["variant"] == v) for v in "AB")
        ratios.append(b["cpu_ms_per_article"] / a["cpu_ms_per_article"])
    med = {v: statistics.median(r["cpu_ms_per_article"] for r in rows if r["variant"] == v) for v in "AB"}
    print(f"median CPU ms/article A {med['A']:.2f}, B {med['B']:.2f} (B - A = {med['B'] - med['A']:+.2f}); "
          f"per-round B/A {', '.join(f'{x:.3f}' for x in ratios)}; median {statistics.median(ratios):.3f}")
    if args.out:
        args.out.write_bytes(orjson.dumps({"variants": label, "env": variants, "rounds": rows, "ratios": ratios,
                                           "median_cpu_ms": med}, option=orjson.OPT_INDENT_2))


if __name__ == "__main__":
    main()
