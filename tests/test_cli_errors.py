"""Operator mistakes end as one line and exit 2, never a traceback (no broker needed for any of these)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


@pytest.mark.parametrize("args, env, line", [
    (["produce", "missing.jsonl"], {}, "Error: cannot read missing.jsonl: no such file"),
    (["broker", "--port", "23450", "--data-dir", "/proc/no/such/dir"], {},
     "Error: cannot start Kafka: [Errno 2] No such file or directory: '/proc/no'"),
    (["broker", "--port", "23450"], {"NEWS_KAFKA_DEPLOY_DIR": "."},
     "Error: cannot start Kafka: NEWS_KAFKA_DEPLOY_DIR=.: no pom.xml there"),
    (["tail"], {"NEWS_TOPIC_PREFIX": "bad prefix"},
     "Error: bad configuration: NEWS_TOPIC_PREFIX='bad prefix' is not accepted: expected up to 200 of A-Z a-z 0-9 . _ - "
     "(may be empty)"),
])
def test_one_line_and_exit_2(tmp_path, args, env, line):
    out = subprocess.run([sys.executable, "-m", "streams.cli", *args], capture_output=True, text=True, cwd=tmp_path,
                         env={**os.environ, **env}, timeout=120)
    assert out.returncode == 2, out.stderr[-2000:]
    assert out.stderr.strip() == line and "Traceback" not in out.stderr
