"""The side-by-side harness (issue 15): the bare aiokafka stage loop and the Quix Streams
application run on the broker and report every figure; the stage loop's commits never pass an
unacknowledged send; the table's arithmetic. No timing assertions."""

from __future__ import annotations

import asyncio
import importlib.util
import math
import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from aiokafka import TopicPartition

from bench.run import derive_side_by_side, side_by_side
from bench.stageloop import InOrderAcks

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = 40


def _positive(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value > 0


def test_commits_stop_at_the_first_unacknowledged_send():
    async def go() -> None:
        loop = asyncio.get_running_loop()
        acks = InOrderAcks()
        tp, other = TopicPartition("raw", 0), TopicPartition("raw", 1)
        sends = {offset: loop.create_future() for offset in (10, 11, 12)}
        for offset, sent in sends.items():
            acks.track(tp, offset, sent)
        assert acks.committable() == {}
        sends[11].set_result(None)  # acknowledged out of order: nothing may be committed yet
        sends[12].set_result(None)
        assert acks.committable() == {}
        sends[10].set_result(None)
        assert acks.committable() == {tp: 13}  # the next offset to read
        assert acks.committable() == {}  # already handed out
        failed = loop.create_future()
        acks.track(other, 5, failed)
        failed.set_exception(OSError("broker gone"))
        with pytest.raises(RuntimeError, match=r"raw\[1\]@5"):
            acks.committable()

    asyncio.run(go())


def test_side_by_side_rows_and_ratios():
    stages = {"both/ar": {"articles_per_s": 250.0}}  # 4 ms of CPU per article for the stages alone
    e2e = {
        "passthrough": {"articles_per_s": 900.0, "cpu_ms_per_article": 0.3, "peak_rss_mb": 30.0,
                        "latency": {"p50_ms": 5.0, "p99_ms": 20.0}},
        "aiokafka_stages": {"articles_per_s": 200.0, "cpu_ms_per_article": 5.0, "peak_rss_mb": 400.0,
                            "latency": {"p50_ms": 30.0, "p99_ms": 90.0}},
        "quix_stages": {"skipped": "quixstreams is not installed"},
        "pipeline_1_worker": {"articles_per_s": 180.0, "worker_cpu_ms_per_article": 5.5, "worker_peak_rss_mb": [450.0],
                              "latency": {"p50_ms": 40.0, "p99_ms": 100.0}},
    }
    rows = side_by_side(e2e, stages)
    assert list(rows) == ["passthrough", "aiokafka_stages", "pipeline_1_worker"]
    assert rows["passthrough"]["beyond_stages_ms"] == 0.3  # no stages: all of it is the loop's
    assert rows["aiokafka_stages"]["beyond_stages_ms"] == pytest.approx(1.0)
    assert rows["pipeline_1_worker"]["beyond_stages_ms"] == pytest.approx(1.5)
    assert rows["pipeline_1_worker"]["peak_rss_mb"] == 450.0
    assert derive_side_by_side(e2e, stages) == {"worker_beyond_stages_over_aiokafka_stages": pytest.approx(1.5)}
    assert side_by_side(e2e, None)["aiokafka_stages"]["beyond_stages_ms"] is None  # stages not run: unknown


@pytest.mark.kafka
def test_side_by_side_scenarios_report_every_figure(shared_data, tmp_path):
    out = tmp_path / "bench.json"
    cmd = [sys.executable, "-m", "bench.run", "--only", "e2e", "--articles", str(ARTICLES), "--latency-seconds", "3",
           "--e2e", "passthrough,aiokafka_stages,quix_stages", "--out", str(out)]
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        cmd += ["--bootstrap", os.environ["KAFKA_BOOTSTRAP_SERVERS"]]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=400)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "side by side" in proc.stdout and "bare aiokafka, two stages" in proc.stdout  # the table

    e2e = orjson.loads(out.read_bytes())["e2e"]
    assert "pipeline_1_worker" not in e2e  # --e2e selects
    runs = ["passthrough", "aiokafka_stages"]
    if importlib.util.find_spec("quixstreams") is not None:
        runs.append("quix_stages")
    else:
        assert "pip install -e '.[bench]'" in e2e["quix_stages"]["skipped"]
    for name in runs:
        r = e2e[name]
        # Every article accounted for: one output each (enriched or dead letter), then a clean stop.
        assert r["articles"] == ARTICLES and r["outputs"] >= ARTICLES, (name, r)
        assert r["alive"] and r["exit_code"] == 0, (name, r["exit_code"])
        for figure in ("articles_per_s", "cpu_ms_per_article", "peak_rss_mb"):
            if figure == "cpu_ms_per_article" and name == "passthrough":
                # /proc counts CPU in 10 ms ticks; a passthrough of a few articles can take less than one
                assert r[figure] >= 0, (name, figure, r[figure])
                continue
            assert _positive(r[figure]), (name, figure, r[figure])
        for figure in ("offered_rate", "p50_ms", "p99_ms"):
            assert _positive(r["latency"][figure]), (name, figure, r["latency"][figure])
    # The stages load the models: far more memory than the bare loop.
    assert e2e["aiokafka_stages"]["peak_rss_mb"] > 3 * e2e["passthrough"]["peak_rss_mb"]
