"""The benchmark's quick mode runs end to end and reports every figure (no timing assertions)."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

pytestmark = pytest.mark.kafka

ROOT = Path(__file__).resolve().parents[2]


def _positive(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value > 0


def test_quick_benchmark_reports_every_figure(shared_data, tmp_path):
    out = tmp_path / "bench.json"
    cmd = [sys.executable, "-m", "bench.run", "--quick", "--articles", "100", "--latency-seconds", "5",
           "--e2e", "passthrough,pipeline_1_worker,pipeline_2_worker",  # the peers: test_side_by_side.py
           "--out", str(out)]
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        cmd += ["--bootstrap", os.environ["KAFKA_BOOTSTRAP_SERVERS"]]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "art/s/core" in proc.stdout and "pipeline_1_worker" in proc.stdout  # the table

    r = orjson.loads(out.read_bytes())
    for key in ("cpu", "cores", "memory_gb", "python", "load_avg"):
        assert r["machine"][key], key
    for corpus in ("ar", "en"):
        for stage in ("clean", "entities", "both"):
            row = r["stages"][f"{stage}/{corpus}"]
            for figure in ("articles_per_s", "wall_articles_per_s", "mb_per_s", "p50_ms", "p99_ms", "peak_rss_mb"):
                assert _positive(row[figure]), (stage, corpus, figure, row[figure])
    assert [row["bytes"] for row in r["growth"]["rows"]] == [1_000, 10_000, 100_000]
    assert all(_positive(row["us_per_kb"]) for row in r["growth"]["rows"])

    e2e = r["e2e"]
    assert e2e["passthrough"]["articles"] == 100 and _positive(e2e["passthrough"]["articles_per_s"])
    for n in (1, 2):
        run = e2e[f"pipeline_{n}_worker"]
        assert run["workers"] == n and run["alive"] and run["exit_codes"] == [0] * n
        assert run["outputs"] >= 100 and _positive(run["articles_per_s"])
        assert len(run["worker_peak_rss_mb"]) == n and all(_positive(x) for x in run["worker_peak_rss_mb"])
    lat = e2e["pipeline_1_worker"]["latency"]
    for figure in ("offered_rate", "p50_ms", "p99_ms", "processed_at_p50_ms", "processed_at_p99_ms"):
        assert _positive(lat[figure]), (figure, lat[figure])
    for figure in ("pipeline_over_passthrough", "two_workers_over_one", "pipeline_over_in_process_per_core",
                   "pipeline_over_in_process_wall", "latency_p99_ms", "worker_peak_rss_mb",
                   "clean_ar_articles_per_s_per_core", "entities_ar_articles_per_s_per_core"):
        assert _positive(r["derived"][figure]), figure
