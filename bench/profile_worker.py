"""Where a worker's CPU goes beyond its stages: py-spy on one ``news-streams worker`` draining a backlog.

    .venv/bin/pip install py-spy          # into the venv only: a tool, not a dependency
    .venv/bin/python -m bench.profile_worker --bootstrap 127.0.0.1:19092 --articles 2000

Starts one worker on fresh topics (4 partitions) of the broker, attaches ``py-spy record``
(``--gil``: only the thread holding the GIL is sampled, so a sample is Python CPU time; threads
waiting in ``select`` or for the GIL are left out; ``--all-threads`` samples every thread, idle
included, which over-weights socket writes and ``select``), produces the first N articles of the
Arabic corpus to ``raw`` and waits for one output per article, then stops both. Each sample is
put in one bucket: ``stages`` when ``clean_stage``/``entities_stage`` is on its stack; otherwise
the package of its innermost frame that is not the standard library's event loop (orjson is C, so
it shows as the Python frame that called it: ``streams/codec.py``, ``streams/pipeline.py:to_json``).
``--stub-stages`` replaces the stages by look-ups (:mod:`bench.stubstages`), so that every sample
is the worker's own cost. Prints the table (share of all samples, and of the non-stage samples) and writes the raw stacks
and the table beside ``--out``.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import lines, load_avg  # noqa: E402

#: (bucket, path fragment): the innermost frame matching one of these names the bucket; first match wins.
BUCKETS = (
    ("stub stages (cleaned decode, look-ups)", "bench/stubstages.py"),
    ("orjson encode/decode (our codec)", "streams/codec.py"),
    ("prometheus-client", "prometheus_client/"),
    ("news-streams delivery/acks", "streams/service/delivery.py"),
    ("news-streams stage loop", "streams/service/agents.py"),
    ("news-streams other (web, lag, kafka)", "streams/"),
    ("aiokafka fetch/decode (consumer)", "aiokafka/consumer/"),
    ("aiokafka record batches", "aiokafka/record/"),
    ("aiokafka send path (producer)", "aiokafka/producer/"),
    ("aiokafka connection/protocol", "aiokafka/"),
    ("faust streams/agents", "faust/streams.py"),
    ("faust agents", "faust/agents/"),
    ("faust consumer/transport", "faust/transport/"),
    ("faust other", "faust/"),
    ("mode (services, threads)", "mode/"),
    ("logging", "logging/"),
    ("asyncio event loop", "asyncio/"),
    ("selectors/socket", "selectors.py"),
)
STAGE_FRAMES = ("clean_stage (", "entities_stage (")


def bucket(stack: list[str]) -> str:
    if any(f.startswith(STAGE_FRAMES) for f in stack):
        return "stages (clean_stage, entities_stage)"
    for frame in reversed(stack):  # innermost first
        for name, fragment in BUCKETS:
            if fragment in frame:
                return name
    return "other"


def summarise(raw: str) -> dict:
    """py-spy's raw (collapsed) output -> samples per bucket and the top non-stage leaf frames."""
    counts: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    for line in raw.splitlines():
        stack_text, _, n = line.rpartition(" ")
        if not stack_text or not n.isdigit():
            continue
        stack = stack_text.split(";")
        b = bucket(stack)
        counts[b] += int(n)
        if not b.startswith("stages"):
            leaves[stack[-1]] += int(n)
    total = sum(counts.values()) or 1
    stages = sum(n for b, n in counts.items() if b.startswith("stages"))
    rest = (total - stages) or 1
    rows = [{"bucket": b, "samples": n, "share": n / total, "share_of_overhead": None if b.startswith("stages")
             else n / rest} for b, n in counts.most_common()]
    return {"samples": total, "stage_samples": stages, "overhead_share": (total - stages) / total, "rows": rows,
            "top_overhead_frames": [{"frame": f, "samples": n, "share_of_overhead": n / rest}
                                    for f, n in leaves.most_common(25)]}


def main() -> None:
    from dataclasses import replace

    from bench import e2e
    from streams.settings import Settings, shared_data_dir

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:19092"))
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--rate", type=int, default=100, help="py-spy samples per second")
    ap.add_argument("--partitions", type=int, default=4)
    ap.add_argument("--stub-stages", action="store_true",
                    help="stages replaced by look-ups (bench.stubstages): every sample is the worker's own cost")
    ap.add_argument("--all-threads", action="store_true", help="sample every thread, not only the GIL holder")
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "profile-worker.json")
    args = ap.parse_args()

    corpus = shared_data_dir() / "ar-saudinewsnet-6k.jsonl"
    payloads = lines(corpus, args.articles)
    process = {}
    if args.stub_stages:
        from bench import stubstages

        os.environ.update(NEWS_STUB_CORPUS=str(corpus), NEWS_STUB_ARTICLES=str(args.articles))
        process = {"process": stubstages.worker_class()}
    workdir = Path(tempfile.mkdtemp(prefix="profile-worker-"))
    base = replace(Settings.from_env(), kafka_bootstrap_servers=args.bootstrap)
    settings = e2e.scenario(base, "profile", workdir, args.partitions)
    (worker,) = e2e.start_workers(settings, 1, workdir, **process)
    raw_path = args.out.with_suffix(".pyspy.txt")
    spy = subprocess.Popen([_py_spy(), "record",
                            "--pid", str(worker.pid), "--format", "raw", "--rate", str(args.rate),
                            *(["--threads", "--idle"] if args.all_threads else ["--gil"]), "-o", str(raw_path)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(1.0)
    try:
        with e2e.RssSampler([worker.pid]) as busy:
            result = e2e.throughput(settings, e2e.keyed(payloads), passthrough=False,
                                    timeout=max(180.0, len(payloads) / 10))
    finally:
        spy.send_signal(signal.SIGINT)
        spy.wait(60)
        worker.stop()
    summary = summarise(raw_path.read_text())
    summary.update(stub_stages=args.stub_stages, articles=len(payloads), articles_per_s=result["articles_per_s"],
                   worker_cpu_ms_per_article=busy.cpu[0] * 1000 / len(payloads), load_avg=load_avg(),
                   bootstrap=args.bootstrap, raw_stacks=str(raw_path))
    args.out.write_bytes(orjson.dumps(summary, option=orjson.OPT_INDENT_2))
    print(f"{len(payloads)} articles, {result['articles_per_s']:.0f} art/s, worker CPU "
          f"{summary['worker_cpu_ms_per_article']:.2f} ms/article, load {summary['load_avg']}")
    print(f"{summary['samples']} samples; beyond the stages: {summary['overhead_share']:.1%}")
    print(f"{'bucket':<40}{'% all':>8}{'% overhead':>12}")
    for row in summary["rows"]:
        over = "" if row["share_of_overhead"] is None else f"{row['share_of_overhead']:.1%}"
        print(f"{row['bucket']:<40}{row['share']:>8.1%}{over:>12}")
    print("top non-stage frames:")
    for row in summary["top_overhead_frames"][:15]:
        print(f"  {row['share_of_overhead']:6.1%}  {row['frame']}")
    print(f"raw stacks: {raw_path}; summary: {args.out}")


def _py_spy() -> str:
    """py-spy next to this interpreter (installed into the venv), else on PATH."""
    here = Path(sys.executable).with_name("py-spy")
    return str(here) if here.exists() else "py-spy"


if __name__ == "__main__":
    main()
