"""SIGKILL the worker mid-stream and restart it with an empty state directory on the RocksDB
store: the windows come back from the changelog topics and the final rows equal a direct count
(replayed articles are not counted twice). And a rebalance mid-stream: a second worker joins and
takes over partitions with their state."""

from __future__ import annotations

import re
import time
import urllib.request
from dataclasses import replace

import pytest

from streams.devkit.broker import free_port
from streams.devkit.local import WorkerProcess

from .direct import direct_count, row_cells
from .kafka_helpers import collect_rows, metric, produce_enriched, with_tick
from .test_kafka import without_tick

pytestmark = [pytest.mark.kafka, pytest.mark.faults]

H, D = 3_600_000, 86_400_000
COPIES = 5  # the 300 enriched articles, each copy three weeks later with fresh ids
KILL_AT = 0.4


def copies(records: list[dict], n: int) -> list[dict]:
    from datetime import datetime, timedelta

    out = []
    for copy in range(n):
        for rec in records:
            at = datetime.fromisoformat(rec["published_at"]) + timedelta(weeks=3 * copy)
            out.append({**rec, "id": f"{rec['id']}~{copy}", "published_at": at.isoformat()})
    return out


def start(settings, tmp_path, name: str) -> WorkerProcess:
    """A worker with a web port, an (empty) state directory and a log of its own."""
    s = replace(settings, web_port=free_port(), data_dir=str(tmp_path / f"faust-{name}"))
    return WorkerProcess(s, tmp_path / f"{name}.log").start()


def exact(expected: dict):
    """Rows are complete when the newest of every (window, entity) equals the direct count."""
    return lambda rows: all(without_tick(row_cells(rows, w)) == cells for w, cells in expected.items())


def counted(worker: WorkerProcess) -> float:
    try:
        text = urllib.request.urlopen(worker.metrics_url, timeout=5).read().decode()
    except OSError:
        return 0.0
    return metric(text, 'news_trends_observations_total{outcome="counted"}')


def test_sigkill_restart_restores_windows_from_changelogs(kafka_settings, corpus_enriched, tmp_path, monkeypatch):
    monkeypatch.setenv("NEWS_TRENDS", "on")  # on by default; explicit here
    monkeypatch.setenv("NEWS_TRENDS_LATENESS", "36500d")
    monkeypatch.setenv("NEWS_TRENDS_STORE", "rocksdb://")
    settings = replace(kafka_settings, broker_session_timeout=6.0, broker_rebalance_timeout=10.0)
    records = copies(corpus_enriched, COPIES)
    records += records[:50]  # duplicates upstream too
    expected = {"1h": direct_count(records, H), "1d": direct_count(records, D)}
    pairs = sum(n for n, _ in expected["1d"].values())

    first = start(settings, tmp_path, "first")
    second = None
    try:
        assert first.wait_assigned(), (tmp_path / "first.log").read_text()[-3000:]
        produce_enriched(settings, records)
        deadline = time.monotonic() + 240
        while counted(first) < KILL_AT * pairs and time.monotonic() < deadline:
            time.sleep(0.2)
        before = counted(first)
        assert KILL_AT * pairs <= before < pairs, f"counted {before} of {pairs} before the kill"
        first.kill()
        killed = time.monotonic()
        second = start(settings, tmp_path, "second")  # an empty state directory: RocksDB is restored from the changelogs
        assert second.wait_assigned(timeout=120), (tmp_path / "second.log").read_text()[-3000:]
        closing, tick = with_tick(records)
        produce_enriched(settings, [tick])

        rows = collect_rows(settings, exact(expected), timeout=300)
        recovered = time.monotonic() - killed
        text = urllib.request.urlopen(second.metrics_url, timeout=10).read().decode()
    finally:
        code = second.stop() if second is not None else None
        first.kill()
    log = (tmp_path / "second.log").read_text(errors="replace")
    for window, cells in expected.items():
        got = without_tick(row_cells(rows, window))
        wrong = {k: (got.get(k), v) for k, v in cells.items() if got.get(k) != v}
        assert not wrong and set(got) == set(cells), f"{window}: {len(wrong)} cells differ, e.g. {list(wrong.items())[:3]}"
    assert code == 0, log[-3000:]
    assert "rebuilt from the tables" in log
    after = metric(text, 'news_trends_observations_total{outcome="counted"}')
    replayed = metric(text, 'news_trends_observations_total{outcome="duplicate"}')
    assert before + after >= pairs and replayed > 0
    restored = metric(text, 'news_trends_rows_total{kind="restore"}')
    print(f"\n[faults] trends: {len(records)} articles, {pairs} (entity, article) pairs; counted {before:.0f} before "
          f"SIGKILL, {after:.0f} after, {replayed:.0f} replayed pairs not recounted; restored rows "
          f"{restored:.0f}; final rows exact {recovered:.0f} s "
          f"after the kill")


def test_rebalance_moves_windows_to_a_joining_worker(kafka_settings, corpus_enriched, tmp_path, monkeypatch):
    monkeypatch.setenv("NEWS_TRENDS", "on")  # on by default; explicit here
    monkeypatch.setenv("NEWS_TRENDS_LATENESS", "36500d")
    settings = replace(kafka_settings, broker_session_timeout=6.0, broker_rebalance_timeout=10.0)
    records = copies(corpus_enriched, 3)
    half = len(records) // 2
    expected = {"1h": direct_count(records, H), "1d": direct_count(records, D)}

    first = start(settings, tmp_path, "first")
    second = None
    try:
        assert first.wait_assigned(), (tmp_path / "first.log").read_text()[-3000:]
        produce_enriched(settings, records[:half])
        pairs_half = sum(n for n, _ in direct_count(records[:half], D).values())
        deadline = time.monotonic() + 180
        while counted(first) < pairs_half and time.monotonic() < deadline:
            time.sleep(0.5)
        assert counted(first) == pairs_half
        second = start(settings, tmp_path, "second")  # joins: some partitions and their tables move to it
        assert second.wait_assigned(timeout=120), (tmp_path / "second.log").read_text()[-3000:]
        produce_enriched(settings, records[half:])
        closing, tick = with_tick(records)
        produce_enriched(settings, [tick])

        rows = collect_rows(settings, exact(expected), timeout=240)
    finally:
        codes = [w.stop() if w is not None else None for w in (second, first)]
    for window, cells in expected.items():
        assert without_tick(row_cells(rows, window)) == cells, window
    assert codes == [0, 0]
    # the joining worker took over partitions that already had counts, from their changelogs
    assert re.search(r"rebuilt from the tables .*'seen': [1-9]", (tmp_path / "second.log").read_text(errors="replace"))
