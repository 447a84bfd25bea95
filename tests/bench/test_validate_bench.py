"""The validation micro-benchmark runs and prints a figure per engine (no timing assertion)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_validation_benchmark_prints_microseconds_per_record():
    proc = subprocess.run([sys.executable, "-m", "bench.validate", "--articles", "200", "--repeat", "1"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert re.search(r"jsonschema-rs \S+\s+\d+\.\d+ µs/record", proc.stdout), proc.stdout
