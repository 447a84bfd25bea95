"""The trend stage on a real broker: stream rows == batch rows == a direct count; /trends; metrics."""

from __future__ import annotations

import asyncio
import time
import urllib.request

import orjson
import pytest

from streams.kafka.io import produce

from streams.devkit.local import WorkerProcess
from streams.trends import TrendConfig, trend_rows

from .direct import direct_count, row_cells
from .kafka_helpers import collect_rows, get_json, metric, produce_enriched, with_tick

pytestmark = pytest.mark.kafka

H, D = 3_600_000, 86_400_000


def without_tick(cells: dict) -> dict:
    return {k: v for k, v in cells.items() if not k[1].startswith("MISC:tick-")}


def test_stream_rows_equal_batch_rows_and_direct_count(kafka_settings, corpus_enriched, tmp_path, monkeypatch):
    # The corpus is not in time order and spans 3 weeks: allow any lateness, so every article counts.
    monkeypatch.setenv("NEWS_TRENDS", "on")  # on by default; explicit here
    monkeypatch.setenv("NEWS_TRENDS_LATENESS", "36500d")
    settings = kafka_settings
    records = corpus_enriched + corpus_enriched[:30]  # 30 articles delivered twice
    expected = {"1h": direct_count(records, H), "1d": direct_count(records, D)}
    pairs = sum(n for cells in expected.values() for n, _ in cells.values()) // 2  # distinct (entity, article)

    worker = WorkerProcess(settings, tmp_path / "worker.log").start()
    try:
        assert worker.wait_assigned(), (tmp_path / "worker.log").read_text()[-3000:]
        bad = [(b"x", b"{not json"), (b"y", orjson.dumps({"id": "y", "published_at": "2999-01-01", "entities": []})),
               (b"z", orjson.dumps({"id": "z", "published_at": "garbage", "entities": [{"type": "PER"}]})),
               (b"w", orjson.dumps({"id": "w", "published_at": "2015-07-27T10:00:00", "entities": [7, {"x": 1}]}))]
        assert asyncio.run(produce(settings, settings.topic("enriched"), bad)).sent == len(bad)
        produce_enriched(settings, records)
        deadline = time.monotonic() + 180
        metrics = ""
        while time.monotonic() < deadline:  # every (entity, article) pair counted once
            metrics = urllib.request.urlopen(worker.metrics_url, timeout=10).read().decode()
            if metric(metrics, 'news_trends_observations_total{outcome="counted"}') >= pairs:
                break
            time.sleep(1)
        assert metric(metrics, 'news_trends_observations_total{outcome="counted"}') == pairs
        assert metric(metrics, 'news_trends_observations_total{outcome="duplicate"}') > 0
        empty = sum(1 for r in records if not r["entities"])
        time.sleep(2)  # the bad records went first; a moment for any partition still behind
        for reason, n in [("no_entities", empty), ("malformed_json", 1), ("future", 1), ("no_event_time", 1),
                          ("bad_entity", 2)]:
            assert metric(metrics, f'news_trends_dropped_total{{reason="{reason}"}}') == n, reason

        # /trends: the current (open) day of the newest partition watermark, its counts exact so far
        view = get_json(f"http://{settings.web_host}:{settings.web_port}/trends?window=1d&limit=5")
        assert 1 <= len(view["rows"]) <= 5 and view["workers"] and not view["unreachable"]
        scores = [r["score"] for r in view["rows"]]
        assert scores == sorted(scores, reverse=True)
        day = row_cells(view["rows"], "1d")
        assert all(expected["1d"][cell] == counts for cell, counts in day.items())
        assert get_json_status(f"http://{settings.web_host}:{settings.web_port}/trends?window=5m") == 400

        # the tick closes every window of the records
        closing, tick = with_tick(records)
        produce_enriched(settings, [tick])

        def complete(rows):
            return all(without_tick(row_cells(rows, w)) == cells for w, cells in expected.items())

        rows = collect_rows(settings, complete, timeout=180)
        deadline = time.monotonic() + 30  # the state gauges are refreshed every 5 s: wait for one refresh
        while True:
            metrics = urllib.request.urlopen(worker.metrics_url, timeout=10).read().decode()
            if metric(metrics, "news_trends_state_entries") > 0 or time.monotonic() > deadline:
                break
            time.sleep(1.0)
    finally:
        code = worker.stop()
    log = (tmp_path / "worker.log").read_text(errors="replace")
    assert code == 0, log[-3000:]
    for window, cells in expected.items():
        assert without_tick(row_cells(rows, window)) == cells, window
    batch = trend_rows(closing, TrendConfig.from_strings("1h,1d", "36500d"), order="input")
    for window in expected:
        assert without_tick(row_cells(batch.rows, window)) == expected[window]
    assert "Traceback" not in log, log[-3000:]
    # out of time order, most windows close early and late articles update them: a row each time
    emitted = metric(metrics, 'news_trends_rows_total{kind="close"}') + metric(metrics, 'news_trends_rows_total{kind="update"}')
    assert metric(metrics, 'news_trends_rows_total{kind="close"}') > 0
    assert emitted >= len(expected["1h"]) + len(expected["1d"])
    assert metric(metrics, "news_trends_state_entries") > 0
    print(f"\n[trends] {len(records)} articles, {pairs} (entity, article) pairs, {len(rows)} rows on the topic")


def get_json_status(url: str) -> int:
    try:
        urllib.request.urlopen(url, timeout=10)
    except urllib.error.HTTPError as exc:
        return exc.code
    return 200


def test_view_gathers_top_rows_from_every_worker(kafka_settings, corpus_enriched, tmp_path, monkeypatch):
    """Two workers share the partitions: /trends on either answers for all of them."""
    from dataclasses import replace

    from streams.devkit.broker import free_port

    monkeypatch.setenv("NEWS_TRENDS", "on")  # on by default; explicit here

    monkeypatch.setenv("NEWS_TRENDS_LATENESS", "36500d")
    settings = replace(kafka_settings, broker_session_timeout=6.0, broker_rebalance_timeout=10.0)
    records = corpus_enriched[:150]
    expected = direct_count(records, D)
    pairs = sum(n for n, _ in expected.values())
    workers = [WorkerProcess(replace(settings, web_port=free_port(), data_dir=str(tmp_path / f"faust-{i}")),
                             tmp_path / f"worker-{i}.log") for i in (1, 2)]
    try:
        for w in workers:
            w.start()
        for w in workers:
            assert w.wait_assigned(), w.log_path.read_text()[-3000:]
        time.sleep(8)  # let a second rebalance (the other worker joining) settle
        produce_enriched(settings, records)

        def counted_everywhere() -> float:
            return sum(metric(urllib.request.urlopen(w.metrics_url, timeout=10).read().decode(),
                              'news_trends_observations_total{outcome="counted"}') for w in workers)

        deadline = time.monotonic() + 180
        while counted_everywhere() < pairs and time.monotonic() < deadline:
            time.sleep(1)
        assert counted_everywhere() == pairs
        urls = [f"http://{w.settings.web_host}:{w.settings.web_port}/trends?window=1d&limit=1000" for w in workers]
        views = [get_json(url) for url in urls]
        local = [get_json(url + "&local=1")["rows"] for url in urls]
    finally:
        codes = [w.stop() for w in workers]
    assert codes == [0, 0], [w.log_path.read_text()[-2000:] for w in workers]
    for view in views:
        assert len(view["workers"]) == 2 and not view["unreachable"], view["workers"]
        latest = view["window_start"]
        got = row_cells(view["rows"], "1d")
        want = {cell: counts for cell, counts in expected.items() if cell[0] == next(iter(got))[0]}
        assert got == want  # every entity of the newest day, wherever it is counted
        from_each = [{r["entity"]["key"] for r in rows if r["window_start"] == latest} for rows in local]
        assert all(from_each) and {k for _, k in got} == from_each[0] | from_each[1]
