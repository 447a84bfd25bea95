"""Readiness follows the broker: a ready worker turns not-ready when its only broker goes away
(while staying alive: restarting it would not bring Kafka back), and ready again once the broker
is back, by itself."""

from __future__ import annotations

import time

from streams.devkit.broker import LocalKafka, free_port_block

from .harness import create_topics, run_settings, tail, worker


def _wait(what: str, predicate, timeout: float, w) -> float:
    started = time.monotonic()
    while not predicate():
        assert w.alive(), f"the worker exited while waiting for {what}:\n{tail(w.log_path)}"
        assert time.monotonic() - started < timeout, f"timed out after {timeout:.0f}s waiting for {what}"
        time.sleep(0.5)
    return time.monotonic() - started


def test_not_ready_while_the_broker_is_gone(tmp_path):
    with LocalKafka(data_dir=tmp_path / "kafka", port=free_port_block()) as kafka:
        settings = run_settings(kafka.bootstrap_servers, tmp_path)
        create_topics(settings)
        w = worker(settings, tmp_path, "worker").start()
        try:
            assert w.wait_assigned(120), tail(w.log_path)
            node = kafka.running()[0]
            kafka.kill(node)
            gone = _wait("/readyz to fail", lambda: w.probe("/readyz")[0] == 503, 60, w)
            status, body = w.probe("/readyz")
            assert status == 503 and not body["checks"]["broker_reachable"], body
            assert w.probe("/healthz")[0] == 200  # alive: a restart would not bring the broker back
            kafka.restart(node)
            kafka.wait_ready(timeout=90)
            back = _wait("/readyz to recover", lambda: w.probe("/readyz")[0] == 200, 120, w)
            print(f"\nreadiness: not ready {gone:.1f}s after the broker died; ready again {back:.1f}s after "
                  "it restarted")
        finally:
            w.stop()
