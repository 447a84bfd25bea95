"""The trend benchmark runs and prints every figure (no timing assertions: figures are for reading)."""

from __future__ import annotations

import subprocess
import sys

import orjson

from tests.conftest import ROOT


def test_bench_trends_prints_its_figures(tmp_path, corpus_enriched):
    src = tmp_path / "enriched.jsonl"
    src.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in corpus_enriched[:120]))
    done = subprocess.run([sys.executable, "-m", "bench.trends", str(src), "--replays", "2"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    out = orjson.loads(done.stdout)
    for part in ("core", "worker_path"):
        assert out[part]["articles"] == 120 and out[part]["articles_per_s"] > 0
    sizes = out["replay"]["state_after_each_copy"]
    assert len(sizes) == 2 and sizes[0]["windows"] > 0
    assert out["bad_input"]["10000_entities"] == {"counted": 1000, "refused": {"too_many_entities": 9000},
                                                  "ms": out["bad_input"]["10000_entities"]["ms"]}
    assert out["bad_input"]["far_future"]["refused"] == {"future": 1}
    assert "articles/s per core" in done.stderr
