"""Liveness (``/healthz``) and readiness (``/readyz``) of real worker processes on a real broker:
ready only once the worker has joined its group and received an assignment; a worker left
without partitions (more workers than partitions) is idle and still ready."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import replace

from streams.devkit.broker import free_port
from streams.devkit.local import WorkerProcess
from streams.kafka.topics import ensure_topics

CHECKS = {"running", "models_loaded", "broker_reachable", "group_joined", "partitions_assigned"}


def _settings(kafka_settings, tmp_path, partitions: int):
    run = uuid.uuid4().hex[:8]
    settings = replace(kafka_settings, topic_prefix=f"h{run}.", app_id=f"news-health-{run}",
                       topic_partitions=partitions, broker_session_timeout=6.0, broker_rebalance_timeout=10.0)
    asyncio.run(ensure_topics(settings))
    return settings


def _worker(settings, tmp_path, name: str) -> WorkerProcess:
    s = replace(settings, web_port=free_port(), data_dir=str(tmp_path / f"faust-{name}"))
    return WorkerProcess(s, tmp_path / f"{name}.log", loglevel="warn").start()


def test_ready_only_after_the_group_assigned_partitions(kafka_settings, tmp_path):
    settings = _settings(kafka_settings, tmp_path, partitions=2)
    w = _worker(settings, tmp_path, "w1")
    try:
        timeline = []  # (healthz status, readyz status, readyz body) while the worker starts
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and w.alive():
            live, _ = w.probe("/healthz")
            ready, body = w.probe("/readyz")
            timeline.append((live, ready, body))
            if ready == 200:
                break
            time.sleep(0.2)
        assert timeline and timeline[-1][1] == 200, (w.alive(), timeline[-3:], w.log_path.read_text()[-3000:])
        # Alive but not ready first: the web server answers before the group join completes.
        waiting = [body for live, ready, body in timeline if live == 200 and ready == 503]
        assert waiting, timeline
        assert set(waiting[0]["checks"]) == CHECKS and waiting[0]["failing"]
        assert {"group_joined", "partitions_assigned"} & set(waiting[0]["failing"]), waiting[0]
        ready = timeline[-1][2]
        assert all(ready["checks"].values()) and ready["failing"] == [] and ready["status"] == "ready"
        assert ready["assigned_partitions"] == 4 and not ready["idle"] and ready["generation"] > 0
        assert sorted(ready["partitions"]) == sorted(f"{settings.topic(t)}[{p}]" for t in ("raw", "cleaned")
                                                     for p in range(2))
    finally:
        w.stop()
    assert not w.alive()


def test_a_worker_without_partitions_is_idle_and_ready(kafka_settings, tmp_path):
    """One partition per input topic, three workers: at most two have work; the rest are ready and idle."""
    settings = _settings(kafka_settings, tmp_path, partitions=1)
    workers = [_worker(settings, tmp_path, f"w{i}") for i in range(3)]
    try:
        deadline = time.monotonic() + 180
        states = []
        while time.monotonic() < deadline:
            states = [w.probe("/readyz") for w in workers]
            if all(status == 200 for status, _ in states) and \
                    sum(body["assigned_partitions"] for _, body in states) == 2:
                break
            assert all(w.alive() for w in workers), [w.log_path.read_text()[-2000:] for w in workers]
            time.sleep(0.5)
        assert all(status == 200 for status, _ in states), states
        bodies = [body for _, body in states]
        assert sum(b["assigned_partitions"] for b in bodies) == 2, bodies
        idle = [b for b in bodies if b["idle"]]
        assert idle and all(b["assigned_partitions"] == 0 and b["checks"]["group_joined"] for b in idle), bodies
        assert all(w.probe("/healthz")[0] == 200 for w in workers)
    finally:
        for w in workers:
            w.stop()
