"""Every command works from an empty directory with the default state directory (a fresh checkout)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from streams.devkit.local import WorkerProcess
from streams.settings import Settings

pytestmark = pytest.mark.kafka


def test_worker_starts_from_an_empty_directory_with_the_default_state_dir(kafka_settings, tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    default = Settings().data_dir
    assert default == "var/faust"  # relative, two levels: Faust alone would fail with FileNotFoundError
    worker = WorkerProcess(replace(kafka_settings, data_dir=default), tmp_path / "worker.log").start()
    try:
        joined = worker.wait_assigned(timeout=120)
    finally:
        code = worker.stop()
    log = (tmp_path / "worker.log").read_text(errors="replace")
    assert joined, log[-3000:]
    assert code == 0, log[-3000:]
    assert (empty / "var" / "faust").is_dir()
    assert "FileNotFoundError" not in log
