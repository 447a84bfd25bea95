"""The whole benchmark in one run: stages in process, end to end on a local broker, growth.

    .venv/bin/python -m bench.run                 # full run (about 15 minutes on 2 busy cores)
    .venv/bin/python -m bench.run --quick         # smoke run: 300 articles, short phases
    .venv/bin/python -m bench.run --articles 2000 --only stages,e2e
    .venv/bin/python -m bench.run --articles 300 --only stages,e2e --e2e passthrough,aiokafka_stages,quix_stages,pipeline_1_worker

Prints a table and writes the raw figures to ``bench/results/<date>.json`` (``--out`` to change).
See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import lines, load_avg, machine_info  # noqa: E402

CORPORA = {"ar": "ar-saudinewsnet-6k.jsonl", "en": "en-bbc-1k.jsonl"}
STAGES = ("clean", "entities", "both")
#: The two stages outside the worker, side by side with it (issue 15): module, arguments.
PEERS = {
    "aiokafka_stages": ("bench.stageloop", ["--bootstrap", "{bootstrap}", "--prefix", "{prefix}", "--group", "{group}"]),
    "quix_stages": ("bench.quixapp", ["--bootstrap", "{bootstrap}", "--prefix", "{prefix}", "--group", "{group}",
                                      "--state-dir", "{workdir}/quix-state-{group}"]),
}
E2E = ("passthrough", *PEERS, "pipeline_1_worker", "pipeline_2_worker")
SIDE_BY_SIDE = {"passthrough": "bare aiokafka passthrough (1 hop, no stages)",
                "aiokafka_stages": "bare aiokafka, two stages (floor)",
                "quix_stages": "Quix Streams, two stages",
                "pipeline_1_worker": "news-streams worker (1)"}


def child(*args: str) -> dict:
    """Run ``bench.stages`` in a fresh process (its own peak RSS) and return its result."""
    proc = subprocess.run([sys.executable, "-m", "bench.stages", *args], cwd=ROOT, capture_output=True, text=True)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("RESULT "):
            return orjson.loads(line[len("RESULT "):])
    raise RuntimeError(f"bench.stages {' '.join(args)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")


def run_stages(data: Path, limit: int | None) -> dict:
    out: dict = {}
    for corpus, file in CORPORA.items():
        for stage in STAGES:
            extra = ["--articles", str(limit)] if limit else []
            r = child(stage, str(data / file), *extra)
            r["load_avg"] = load_avg()
            out[f"{stage}/{corpus}"] = r
            print(f"  {stage:<9}{corpus}: {r['articles_per_s']:,.0f} art/s/core", flush=True)
    return out


def run_e2e(data: Path, limit: int | None, args: argparse.Namespace, workdir: Path) -> dict:
    from bench import e2e
    from streams.devkit.broker import LocalKafka, free_port_block
    from streams.settings import Settings

    payloads = lines(data / CORPORA["ar"], limit)
    out: dict = {"articles": len(payloads), "corpus": CORPORA["ar"], "partitions": args.partitions,
                 "stub_stages": args.stub_stages}
    if args.stub_stages:  # bench.stubstages computes the stage results of these articles at start-up
        args.latency_seconds = 0  # no latency phase: its fresh article ids would run the real stages
        os.environ.update(NEWS_STUB_CORPUS=str(data / CORPORA["ar"]), NEWS_STUB_ARTICLES=str(len(payloads)))

    wanted = set(args.e2e.split(","))

    broker_pids: list[int] = []

    def broker_cpu(name: str, before: float | None = None) -> float:
        """The local broker's CPU seconds so far; with ``before``, store its share in ``out[name]``:
        on a 2-core box the broker's work competes with the workers' (unknown with --bootstrap)."""
        now = sum(e2e.cpu_seconds(pid) or 0.0 for pid in broker_pids)
        r = out.get(name)
        if before is not None and broker_pids and isinstance(r, dict) and "skipped" not in r:
            count = r.get("articles", len(payloads)) + (r.get("latency") or {}).get("articles", 0)
            r["broker_cpu_ms_per_article"] = round((now - before) * 1000 / max(count, 1), 3)
            print(f"    broker CPU {r['broker_cpu_ms_per_article']:.2f} ms/article (whole scenario: topics, joins)", flush=True)
        return now

    def scenarios(bootstrap: str) -> None:
        base = replace(Settings.from_env(), kafka_bootstrap_servers=bootstrap)
        mark = broker_cpu("")
        if "passthrough" in wanted:
            out["passthrough"] = e2e.run_passthrough(base, payloads, workdir, partitions=args.partitions,
                                                     latency_seconds=args.latency_seconds)
            out["passthrough"]["load_avg"] = load_avg()
            print(f"  passthrough: {out['passthrough']['articles_per_s']:,.0f} art/s", flush=True)
            mark = broker_cpu("passthrough", mark)
        for name, (module, peer_args) in PEERS.items():
            if name not in wanted:
                continue
            if name == "quix_stages" and importlib.util.find_spec("quixstreams") is None:
                out[name] = {"skipped": "quixstreams is not installed: pip install -e '.[bench]'"}
                print(f"  {name}: skipped ({out[name]['skipped']})", flush=True)
                continue
            r = e2e.run_process(base, payloads, workdir, name=name.replace("_", "-"), module=module, args=peer_args,
                                partitions=args.partitions, latency_seconds=args.latency_seconds,
                                stub=args.stub_stages)
            r["load_avg"] = load_avg()
            out[name] = r
            print(f"  {name}: {r['articles_per_s']:,.0f} art/s", flush=True)
            mark = broker_cpu(name, mark)
        for n in (1, 2):
            if f"pipeline_{n}_worker" not in wanted:
                continue
            r = e2e.run_pipeline(base, payloads, n, workdir, partitions=args.partitions,
                                 latency_seconds=args.latency_seconds if n == 1 else None, stub=args.stub_stages)
            r["load_avg"] = load_avg()
            out[f"pipeline_{n}_worker"] = r
            print(f"  pipeline, {n} worker(s): {r['articles_per_s']:,.0f} art/s", flush=True)
            mark = broker_cpu(f"pipeline_{n}_worker", mark)

    if args.bootstrap:
        out["broker"] = f"external {args.bootstrap}"
        scenarios(args.bootstrap)
    else:
        kafka = LocalKafka(data_dir=workdir / "kafka", port=free_port_block())
        out["broker"] = "LocalKafka (1 KRaft node, Kafka 3.9.1) started by the benchmark"
        with kafka:
            broker_pids.extend(node.process.pid for node in kafka._nodes if node.process is not None)
            scenarios(kafka.bootstrap_servers)
    return out


def run_growth(sizes: list[int]) -> dict:
    r = child("growth", "--sizes", ",".join(map(str, sizes)))
    rows = r["rows"]
    per_kb = [row["us_per_kb"] for row in rows]
    # From 10 KB up (1 KB is dominated by the fixed per-article cost): linear means flat µs/KB.
    tail = per_kb[1:] or per_kb
    r["max_over_min_us_per_kb_from_10kb"] = max(tail) / min(tail)
    return r


def code_version() -> dict:
    """The commit measured, and the files that differed from it (others' work in progress counts)."""
    def git(*args: str) -> str:
        proc = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return proc.stdout.rstrip() if proc.returncode == 0 else ""

    return {"commit": git("rev-parse", "--short", "HEAD").strip(),
            "modified": [line[3:] for line in git("status", "--porcelain", "--untracked-files=no").splitlines()]}


def derive(result: dict) -> dict:
    """The ratios the issue asks for."""
    d: dict = {}
    stages, e2e = result.get("stages"), result.get("e2e")
    if stages:
        d["clean_ar_articles_per_s_per_core"] = stages["clean/ar"]["articles_per_s"]
        d["entities_ar_articles_per_s_per_core"] = stages["entities/ar"]["articles_per_s"]
    if e2e:
        d.update(derive_side_by_side(e2e, stages))
    if e2e and {"passthrough", "pipeline_1_worker", "pipeline_2_worker"} <= e2e.keys():
        one, two = e2e["pipeline_1_worker"], e2e["pipeline_2_worker"]
        d["pipeline_over_passthrough"] = one["articles_per_s"] / e2e["passthrough"]["articles_per_s"]
        d["two_workers_over_one"] = two["articles_per_s"] / one["articles_per_s"]
        for n, r in (("one", one), ("two", two)):  # the broker's share of the CPU the pipeline used
            if "broker_cpu_ms_per_article" in r:
                b = r["broker_cpu_ms_per_article"]
                d[f"broker_share_of_cpu_{n}_worker"] = b / (b + r["worker_cpu_ms_per_article"])
        if one.get("latency"):
            d["latency_p99_ms"] = one["latency"]["p99_ms"]
        d["worker_peak_rss_mb"] = max(one["worker_peak_rss_mb"] + two["worker_peak_rss_mb"])
        if stages and not e2e.get("stub_stages"):  # with look-ups for stages, no in-process ratio
            both = stages["both/ar"]
            d["pipeline_over_in_process_per_core"] = one["articles_per_s"] / both["articles_per_s"]
            d["pipeline_over_in_process_wall"] = one["articles_per_s"] / both["wall_articles_per_s"]
            # CPU the worker spends per article against CPU the bare stages spend: what streaming
            # costs, independent of how busy the machine was.
            d["in_process_cpu_ms_per_article"] = 1000 / both["articles_per_s"]
            d["worker_cpu_ms_per_article"] = one["worker_cpu_ms_per_article"]
            d["stages_share_of_worker_cpu"] = d["in_process_cpu_ms_per_article"] / one["worker_cpu_ms_per_article"]
    return d


def side_by_side(e2e: dict, stages: dict | None) -> dict[str, dict]:
    """Per scenario of SIDE_BY_SIDE that ran: art/s, CPU ms per article in total and beyond the
    stages (total minus the in-process ``both`` CPU per article, when the stages ran), latency
    at half load, peak RSS."""
    stage_ms = 1000 / stages["both/ar"]["articles_per_s"] if stages and "both/ar" in stages else None
    if e2e.get("stub_stages"):
        stage_ms = 0.0  # the stages were look-ups: all the CPU measured is beyond them
    rows = {}
    for name in SIDE_BY_SIDE:
        r = e2e.get(name)
        if not r or "skipped" in r:
            continue
        cpu = r.get("worker_cpu_ms_per_article", r.get("cpu_ms_per_article"))
        beyond = cpu if name == "passthrough" else (cpu - stage_ms if stage_ms is not None else None)
        lat = r.get("latency") or {}
        rss = r.get("worker_peak_rss_mb", [r.get("peak_rss_mb")])
        rows[name] = {"articles_per_s": r["articles_per_s"], "cpu_ms_per_article": cpu, "beyond_stages_ms": beyond,
                      "p50_ms": lat.get("p50_ms"), "p99_ms": lat.get("p99_ms"), "peak_rss_mb": max(rss)}
    return rows


def derive_side_by_side(e2e: dict, stages: dict | None) -> dict:
    """Issue 15's targets: the worker's CPU beyond the stages against the floor and the peer."""
    rows, d = side_by_side(e2e, stages), {}
    worker = rows.get("pipeline_1_worker", {}).get("beyond_stages_ms")
    for peer in ("aiokafka_stages", "quix_stages"):
        other = rows.get(peer, {}).get("beyond_stages_ms")
        if worker is not None and other:
            d[f"worker_beyond_stages_over_{peer}"] = worker / other
    return d


def table(result: dict) -> str:
    rows = []
    st = result.get("stages") or {}
    if st:
        rows.append(f"{'stage/corpus':<14}{'art/s/core':>11}{'wall art/s':>11}{'MB/s':>7}{'p50 ms':>8}{'p99 ms':>8}"
                    f"{'peak RSS MB':>12}")
        for name, r in st.items():
            rows.append(f"{name:<14}{r['articles_per_s']:>11,.0f}{r['wall_articles_per_s']:>11,.0f}{r['mb_per_s']:>7.2f}"
                        f"{r['p50_ms']:>8.2f}{r['p99_ms']:>8.2f}{r['peak_rss_mb']:>12.0f}")
    e = result.get("e2e") or {}
    if e:
        rows.append("")
        rows.append(f"end to end, {e['articles']} articles, {e['partitions']} partitions: "
                    f"{'art/s':>7}  {'CPU ms/art':>10}  {'RSS MB':>8}  load avg")
        for name in E2E:
            r = e.get(name)
            if r is None:
                continue
            if "skipped" in r:
                rows.append(f"  {name:<50}skipped: {r['skipped']}")
                continue
            rss = r.get("worker_peak_rss_mb", [r.get("peak_rss_mb")])
            cpu = r.get("worker_cpu_ms_per_article", r.get("cpu_ms_per_article"))
            rows.append(f"  {name:<50}{r['articles_per_s']:>7,.0f}  {cpu:>10.2f}  {'/'.join(f'{x:.0f}' for x in rss):>8}  "
                        f"{r['load_avg'][0]:.2f}")
        lat = e.get("pipeline_1_worker", {}).get("latency")
        if lat:
            rows.append(f"  latency at {lat['offered_rate']:.1f} art/s offered (half of 1 worker's max), raw Kafka "
                        f"timestamp -> enriched arrival: p50 {lat['p50_ms']:.0f} ms, p99 {lat['p99_ms']:.0f} ms "
                        f"(to processed_at: p50 {lat['processed_at_p50_ms']:.0f}, p99 {lat['processed_at_p99_ms']:.0f})")
    sbs = side_by_side(e, st) if e else {}
    if sbs:
        def fmt(value, spec: str) -> str:
            return "n/a" if value is None else format(value, spec)

        rows.append("")
        rows.append("side by side (same broker, corpus and stage functions; latency at half of each one's rate):")
        rows.append(f"  {'':<46}{'art/s':>7}{'CPU ms/art':>12}{'beyond stages':>15}{'p50 ms':>8}{'p99 ms':>8}"
                    f"{'RSS MB':>8}")
        for name, r in sbs.items():
            rows.append(f"  {SIDE_BY_SIDE[name]:<46}{r['articles_per_s']:>7,.0f}{fmt(r['cpu_ms_per_article'], '.2f'):>12}"
                        f"{fmt(r['beyond_stages_ms'], '.2f'):>15}{fmt(r['p50_ms'], '.0f'):>8}"
                        f"{fmt(r['p99_ms'], '.0f'):>8}{fmt(r['peak_rss_mb'], '.0f'):>8}")
    g = result.get("growth")
    if g:
        rows.append("")
        rows.append("growth (both stages, synthetic Arabic): " + ", ".join(
            f"{r['bytes'] // 1000} KB {r['us_per_kb']:.0f} µs/KB" for r in g["rows"]))
    d = result.get("derived") or {}
    if d:
        rows.append("")
        rows += [f"  {k}: {v:,.2f}" for k, v in d.items()]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smoke run: 300 articles, sizes to 100 KB, 10 s of latency")
    ap.add_argument("--articles", type=int, default=None, help="first N articles of each corpus (default: all)")
    ap.add_argument("--only", default="stages,e2e,growth", help="comma-separated subset of stages,e2e,growth")
    ap.add_argument("--e2e", default=",".join(E2E),
                    help=f"comma-separated end-to-end scenarios (default all: {','.join(E2E)})")
    ap.add_argument("--partitions", type=int, default=4)
    ap.add_argument("--latency-seconds", type=float, default=None, help="length of the fixed-load phase (default 30)")
    ap.add_argument("--bootstrap", default=None, help="use this broker instead of starting a LocalKafka")
    ap.add_argument("--label", default="", help="a note stored with the results (e.g. 'before batching')")
    ap.add_argument("--keep", action="store_true", help="keep the work directory (broker data, worker logs)")
    ap.add_argument("--stub-stages", action="store_true", help="e2e: every loop's stages replaced by look-ups of "
                    "results computed at its start-up (bench.stubstages): CPU beyond the stages measured directly; no latency phase")
    ap.add_argument("--out", type=Path, default=None, help="JSON path (default bench/results/<UTC date-time>.json)")
    args = ap.parse_args(argv)
    limit = args.articles or (300 if args.quick else None)
    if args.latency_seconds is None:
        args.latency_seconds = 10.0 if args.quick else 30.0
    sizes = [1_000, 10_000, 100_000] + ([] if args.quick else [1_000_000])
    only = set(args.only.split(","))

    from streams.settings import shared_data_dir

    data = shared_data_dir()
    if not (data / CORPORA["ar"]).exists():
        raise SystemExit(f"shared data not found at {data} (set NEWS_SHARED_DATA)")
    started = time.time()
    result: dict = {"label": args.label, "started_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                    "command": " ".join(["python -m bench.run", *(argv if argv is not None else sys.argv[1:])]),
                    "machine": machine_info(), "code": code_version(), "options": {"articles": limit, "quick": args.quick,
                                                           "partitions": args.partitions,
                                                           "latency_seconds": args.latency_seconds}}
    print(f"machine: {result['machine']['cpu']}, {result['machine']['cores']} cores, "
          f"{result['machine']['memory_gb']} GB, Python {result['machine']['python']}; load avg {load_avg()}",
          flush=True)
    tmp = Path(tempfile.mkdtemp(prefix="news-bench-"))
    try:
        if "stages" in only:
            print("stages in process ...", flush=True)
            result["stages"] = run_stages(data, limit)
        if "growth" in only:
            print("growth ...", flush=True)
            result["growth"] = run_growth(sizes)
        if "e2e" in only:
            print("end to end ...", flush=True)
            result["e2e"] = run_e2e(data, limit, args, tmp)
    finally:
        if args.keep:
            print(f"work directory kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    result["derived"] = derive(result)
    result["seconds"] = time.time() - started
    result["load_avg_end"] = load_avg()
    out = args.out or ROOT / "bench" / "results" / f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%dT%H%M}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2))
    print()
    print(table(result))
    print(f"\nraw figures: {out}  ({result['seconds']:.0f} s; load avg at the end {result['load_avg_end']})")
    return result


if __name__ == "__main__":
    main()
