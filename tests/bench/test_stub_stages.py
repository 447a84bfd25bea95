"""Stages replaced by look-ups (bench.stubstages): the same records as the real stages, computed
once at start-up, so a loop's cost beyond its stages can be measured alone. No timing assertions."""

from __future__ import annotations

import os
import subprocess
import sys
import types
from dataclasses import asdict
from pathlib import Path

import orjson
import pytest

from bench import stubstages
from bench.run import side_by_side
from streams import pipeline
from streams.records import DeadLetter, SourcePosition

ROOT = Path(__file__).resolve().parents[2]
ARTICLES = 12


def test_look_ups_give_the_real_stages_records(shared_data, monkeypatch):
    corpus = shared_data / "ar-saudinewsnet-6k.jsonl"
    module = types.ModuleType("stub_target")
    monkeypatch.setitem(sys.modules, "stub_target", module)
    assert stubstages.install("stub_target", corpus, ARTICLES) == ARTICLES
    source = SourcePosition(topic="raw", partition=0, offset=0)
    with corpus.open("rb") as fh:
        payloads = [fh.readline().rstrip(b"\n") for _ in range(ARTICLES)]
    for payload in payloads:
        cleaned = module.clean_stage(payload, source, max_bytes=2_000_000, ingested_at="2026-01-01T00:00:00Z")
        real = pipeline.clean_stage(payload, source, max_bytes=2_000_000, ingested_at="2026-01-01T00:00:00Z")
        assert type(cleaned) is type(real)
        if isinstance(real, DeadLetter):
            continue
        assert {**asdict(cleaned), "cleaned_at": None} == {**asdict(real), "cleaned_at": None}
        enriched = module.entities_stage(orjson.dumps(cleaned), source)  # decodes the cleaned record
        expected = pipeline.entities_stage(real, source)
        assert enriched.id == expected.id and enriched.entities == expected.entities
    unseen = module.clean_stage(b'{"id": "new-1", "body": "\\u0632\\u0627\\u0631 \\u0627\\u0644\\u0631\\u0626\\u064a\\u0633 \\u0628\\u063a\\u062f\\u0627\\u062f."}',
                                source, max_bytes=2_000_000)
    assert unseen.id == "new-1"  # not prepared: the real stage runs


def test_with_stubbed_stages_all_the_cpu_is_beyond_them():
    e2e = {"stub_stages": True,
           "aiokafka_stages": {"articles_per_s": 300.0, "cpu_ms_per_article": 1.2, "peak_rss_mb": 400.0},
           "pipeline_1_worker": {"articles_per_s": 250.0, "worker_cpu_ms_per_article": 1.5,
                                 "worker_peak_rss_mb": [450.0]}}
    rows = side_by_side(e2e, {"both/ar": {"articles_per_s": 100.0}})
    assert rows["aiokafka_stages"]["beyond_stages_ms"] == 1.2
    assert rows["pipeline_1_worker"]["beyond_stages_ms"] == 1.5


@pytest.mark.kafka
def test_stubbed_side_by_side_runs_the_worker_and_the_floor(shared_data, tmp_path):
    out = tmp_path / "bench.json"
    cmd = [sys.executable, "-m", "bench.run", "--only", "e2e", "--articles", "40", "--latency-seconds", "3",
           "--e2e", "aiokafka_stages,pipeline_1_worker", "--stub-stages", "--out", str(out)]
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS"):
        cmd += ["--bootstrap", os.environ["KAFKA_BOOTSTRAP_SERVERS"]]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=500)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    e2e = orjson.loads(out.read_bytes())["e2e"]
    assert e2e["stub_stages"] is True
    floor, worker = e2e["aiokafka_stages"], e2e["pipeline_1_worker"]
    assert floor["outputs"] >= 40 and floor["exit_code"] == 0
    assert worker["outputs"] >= 40 and worker["duplicates"] == 0 and worker["exit_codes"] == [0]
    assert floor["cpu_ms_per_article"] > 0 and worker["worker_cpu_ms_per_article"] > 0
