"""The story stage under ``NEWS_PROCESSING_GUARANTEE=exactly_once`` on a real broker.

One partition per topic, the input in published order (as ``tests/stories/test_stream.py``), so
the uninterrupted run is ``news-streams process`` over the same file. The worker is SIGKILLed
while it assigns stories and a new one finishes the stream: a ``read_committed`` reader must see
every article's ``stories`` record exactly once, each equal to that run's ``story`` object. The
story tables' changelog writes go into the transaction of the request they belong to, so a
transaction that the kill aborted leaves neither its outputs nor its state behind, and the
restarted worker must restore every committed write before it answers (its recovery reads the
changelogs' end offsets from the broker: Faust's own exactly-once path read a cached value that
was still unknown, and then answered from empty tables; README "Guarantees").
"""

from __future__ import annotations

import asyncio
import re
import threading
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
PACE = 8.0  # articles a second for the first half: the kill must fall mid-stream on a fast or a loaded box


async def _paced(settings, records) -> None:
    """Send ``records`` to ``raw`` at :data:`PACE` a second (in the background while the test waits
    to kill the worker; sent all at once, the worker sometimes answered all of them first)."""
    from aiokafka import AIOKafkaProducer

    from streams.kafka.client import client_options

    producer = AIOKafkaProducer(acks="all", enable_idempotence=True, **client_options(settings))
    await producer.start()
    try:
        for key, value in records:
            await producer.send_and_wait(settings.topic("raw"), value, key=key)
            await asyncio.sleep(1 / PACE)
    finally:
        await producer.stop()


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


_ROW = re.compile(r"[│|]\s*\S*stories-(\w+)-changelog\s*[│|]\s*0\s*[│|]\s*(-?\d+)\s*[│|]")


def recovery_highwaters(log: str) -> dict[str, int]:
    """The story changelogs' highwaters in the last "Highwater - Active" table Faust logged."""
    start = log.rfind("Highwater for active changelog partitions")
    if start < 0:
        return {}
    table = log[start:].split("\n[", 1)[0]  # up to the next log line
    return {m.group(1): int(m.group(2)) for m in _ROW.finditer(table)}


def test_exactly_once_sigkill_every_story_once_read_committed(kafka_settings, shared_data, tmp_path, monkeypatch):
    monkeypatch.setenv("NEWS_STORIES", "on")  # on by default; explicit here (the workers inherit the environment)
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
        feeder = threading.Thread(target=asyncio.run, args=(_paced(settings, records[:half]),), daemon=True)
        feeder.start()
        deadline = time.monotonic() + DEADLINE
        while _stories_sent(first) < KILL_AFTER:
            assert first.alive() and time.monotonic() < deadline, first.log_path.read_text(errors="replace")[-3000:]
            time.sleep(0.1)
        asyncio.run(_first_committed(settings))  # some requests' state is committed, later ones not
        first.kill()  # mid-stream: a transaction is open, some of its changelog writes are in it
        killed = time.monotonic()
        before = _committed_stories(settings, lambda rs: True, 30)
        assert 1 <= len(before) < half, f"killed too late: {len(before)} committed stories records at the kill"
        feeder.join(timeout=60)
        asyncio.run(produce(settings, settings.topic("raw"), records[half:]))
        second = WorkerProcess(settings, tmp_path / "worker2.log").start()
        after = _committed_stories(settings, lambda rs: {k for k, _ in rs} >= batch.keys(), DEADLINE)
        took = time.monotonic() - killed
    finally:
        code = second.stop() if second is not None else None
        first.kill()
    log = (tmp_path / "worker2.log").read_text(errors="replace")
    highwaters = recovery_highwaters(log)
    got = Counter(k for k, _ in after)
    missing = sorted(batch.keys() - got.keys())
    wrong = [k for k, s in after if s != batch[k]]
    print(f"\n[faults] stories exactly-once: {len(batch)} articles; SIGKILL after {len(before)} committed stories "
          f"records; {len(after)} committed in all, {len(got)} distinct; {len(wrong)} differ from news-streams "
          f"process {wrong[:5]}; recovery highwaters {highwaters}; every story committed {took:.1f} s after the kill")
    assert not missing, f"{len(missing)} articles without a committed story: {missing[:10]}\n{log[-3000:]}"
    twice = sorted(k for k, n in got.items() if n > 1)
    assert not twice, f"{len(twice)} articles with more than one committed stories record: {twice[:5]}"
    assert highwaters and min(highwaters.values()) >= 0, f"the restarted worker saw empty changelogs: {highwaters}"
    assert not wrong, f"{len(wrong)} of {len(batch)} stories differ from news-streams process: {wrong[:5]}"
    assert "IllegalOperation" not in log and "Crashed reason=" not in log, log[-3000:]
    assert code == 0, log[-3000:]
