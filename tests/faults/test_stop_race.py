"""SIGTERM just as ``enriched`` records arrive, with the stateful stages on: the worker stops cleanly.

With two agents on ``enriched`` (the trend split and the story relay, before the fan-out agent)
a record one agent had taken while it still sat in the other's buffer was never fully
acknowledged: Faust's ``wait_empty`` waited for it until the worker was SIGKILLed. The window
is the moment a record reaches the worker, so each round starts a worker, feeds it a burst of
enriched records and stops it 0 - 50 ms later; the old wiring hung in 2 of 12 such rounds
(an ad-hoc script of this kind), so ``ROUNDS`` rounds would have caught it with probability ~2/3.
"""

from __future__ import annotations

import asyncio
import time

import orjson

from streams.kafka.io import produce

from .harness import create_topics, run_settings, tail, worker

ROUNDS = 6
STOP_BOUND = 20.0  # seconds for a clean stop (it takes 1.5 - 2.5 s)


def _enriched(i: int) -> tuple[bytes, bytes]:
    record = {"id": f"race-{i}", "published_at": "2015-08-01T10:00:00", "title": "عنوان",
              "text": "نص الخبر " * 30, "text_normalized": "نص الخبر " * 30,
              "entities": [{"type": "PER", "text": f"اسم {j}", "id": None, "name": None, "count": 1,
                            "mentions": [{"start": 0, "end": 1, "text": "ن", "field": "text"}]} for j in range(30)]}
    return record["id"].encode(), orjson.dumps(record)


def test_sigterm_as_enriched_records_arrive_stops_cleanly(kafka_bootstrap, tmp_path, monkeypatch):
    monkeypatch.setenv("NEWS_TRENDS", "on")  # on by default; explicit here
    monkeypatch.setenv("NEWS_STORIES", "on")
    stops = []
    for n in range(ROUNDS):
        settings = run_settings(kafka_bootstrap, tmp_path / f"round-{n}", topic_partitions=1)
        assert settings.trends_enabled and settings.stories_enabled
        create_topics(settings)
        w = worker(settings, tmp_path, f"worker-{n}").start()
        try:
            assert w.wait_assigned(120), tail(w.log_path)
            report = asyncio.run(produce(settings, settings.topic("enriched"), [_enriched(i) for i in range(40)]))
            assert report.sent == 40 and not report.failed
            time.sleep(0.01 * (n % 6))
            started = time.monotonic()
            code = w.stop(timeout=STOP_BOUND)
            stops.append(time.monotonic() - started)
        finally:
            w.kill()
        log = w.log_path.read_text(errors="replace")
        assert code == 0 and "wait_empty" not in log, f"round {n}: exit {code} after {stops[-1]:.1f} s\n{tail(w.log_path)}"
    print(f"\n[faults] stop race: {ROUNDS} rounds, every stop clean in {min(stops):.1f} - {max(stops):.1f} s")
