"""End to end on a real broker: the pipeline's workers against a bare consume -> produce loop.

Used by ``bench.run``; every scenario gets topics (and a consumer group) of its own on the same
broker, so the figures of one run sit side by side. Rates are measured from the moment the
producer starts sending (the consumers are already in their group) to the Kafka timestamp of the
last output record; the producer is far faster than the consumers, so the consumers see a
backlog for nearly all of it.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path

import orjson
from aiokafka import AIOKafkaProducer

from streams.devkit.broker import free_port
from streams.kafka.client import client_options
from streams.kafka.io import TopicReader, produce
from streams.kafka.topics import DEAD_LETTER_MAX_MESSAGE_BYTES, ensure_topics
from streams.devkit.local import WorkerProcess, percentile
from streams.devkit.local import vm_rss
from streams.settings import Settings
from streams.timeutil import to_epoch_seconds

ROOT = Path(__file__).resolve().parents[1]


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process so far (``/proc/<pid>/stat``)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class RssSampler:
    """Peak resident memory of some processes, sampled every ``interval`` seconds, and the CPU
    time they used while it ran (robust to a shared machine, unlike rates)."""

    pids: list[int]
    interval: float = 0.25
    peak: dict[int, int] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)

    def __enter__(self) -> "RssSampler":
        self.cpu_start = [cpu_seconds(p) or 0.0 for p in self.pids]
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.cpu = [(cpu_seconds(p) or 0.0) - c for p, c in zip(self.pids, self.cpu_start)]

    def _run(self) -> None:
        while not self._stop.is_set():
            for pid in self.pids:
                rss = vm_rss(pid)
                if rss is not None and rss > self.peak.get(pid, 0):
                    self.peak[pid] = rss
            self._stop.wait(self.interval)

    def peak_mb(self) -> list[float]:
        return [round(self.peak.get(p, 0) / 1e6, 1) for p in self.pids]


def scenario(base: Settings, name: str, workdir: Path, partitions: int) -> Settings:
    run = uuid.uuid4().hex[:6]
    settings = replace(
        base, topic_prefix=f"bench-{name}-{run}.", app_id=f"bench-{name}-{run}", topic_partitions=partitions,
        web_port=free_port(), data_dir=str(workdir / f"faust-{name}-{run}"),
        broker_session_timeout=10.0, broker_rebalance_timeout=10.0,
    )
    asyncio.run(ensure_topics(settings))
    return settings


class Reader:
    """Reads output topics from their current end; remembers key, Kafka timestamp, arrival, value."""

    def __init__(self, settings: Settings, topics: list[str]) -> None:
        self.settings, self.topics = settings, topics
        self.seen: dict[bytes | None, tuple[int, float, bytes]] = {}
        self.total = 0

    async def start(self) -> None:
        self.reader = await TopicReader(self.settings, self.topics, from_end=True).start()

    async def until(self, count: int, timeout: float, accept=lambda key: True) -> None:
        deadline = time.monotonic() + timeout
        try:
            while len(self.seen) < count:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{len(self.seen)} of {count} output records within {timeout:g}s")
                batch = await self.reader.batch(timeout_ms=200, max_records=1000)
                now = time.time()
                for m in batch:
                    if accept(m.key):
                        self.total += 1
                        self.seen.setdefault(m.key, (m.timestamp_ms, now, m.value))
        finally:
            await self.reader.stop()


def outputs(settings: Settings, passthrough: bool) -> list[str]:
    return [settings.topic("enriched")] + ([] if passthrough else [settings.topic("dead-letter")])


def keyed(payloads: list[bytes], suffix: str = "") -> list[tuple[bytes, bytes]]:
    """(key, payload) pairs keyed by article id; with ``suffix``, ids get ``suffix`` + index (fresh ids)."""
    out = []
    for i, p in enumerate(payloads):
        rec = orjson.loads(p)
        if suffix:
            rec["id"] = f"{rec['id']}{suffix}{i}"
            p = orjson.dumps(rec)
        out.append((str(rec["id"]).encode(), p))
    return out


def throughput(settings: Settings, records: list[tuple[bytes, bytes]], *, passthrough: bool, timeout: float) -> dict:
    """Send every record to ``raw`` and wait for one output per record; articles/s."""

    async def go() -> dict:
        reader = Reader(settings, outputs(settings, passthrough))
        await reader.start()
        wait = asyncio.ensure_future(reader.until(len(records), timeout))
        t0 = time.time()
        report = await produce(settings, settings.topic("raw"), records)
        produced = time.time()
        await wait
        last = max(ts for ts, _, _ in reader.seen.values()) / 1000
        return {"articles": len(records), "sent": report.sent, "outputs": reader.total,
                "duplicates": reader.total - len(reader.seen), "seconds": last - t0,
                "articles_per_s": len(records) / (last - t0), "produce_seconds": produced - t0}

    return asyncio.run(go())


def offered_load(settings: Settings, records: list[tuple[bytes, bytes]], rate: float, timeout: float) -> dict:
    """Send ``records`` at ``rate`` per second; latency from the raw record's Kafka timestamp to the
    enriched record's arrival at a consumer (and to its ``processed_at``). Dead letters (the
    corpus has articles that clean to nothing) are awaited too, but not part of the latency."""
    keys = {k for k, _ in records}

    async def go() -> dict:
        reader = Reader(settings, outputs(settings, passthrough=False))
        await reader.start()
        wait = asyncio.ensure_future(reader.until(len(records), timeout, accept=keys.__contains__))
        producer = AIOKafkaProducer(**client_options(settings), acks="all", linger_ms=0,
                                    max_request_size=DEAD_LETTER_MAX_MESSAGE_BYTES)
        await producer.start()
        pending = []
        t0 = time.monotonic()
        try:
            for i, (key, value) in enumerate(records):
                delay = t0 + i / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                pending.append(await producer.send(settings.topic("raw"), key=key, value=value,
                                                   timestamp_ms=int(time.time() * 1000)))
            await asyncio.gather(*pending)
            offered = len(records) / (time.monotonic() - t0)
        finally:
            await producer.stop()
        await wait
        arrival, processed = [], []
        dead_letters = 0
        for ts, arrived, value in reader.seen.values():
            rec = orjson.loads(value)
            if "entities" not in rec:  # a dead letter
                dead_letters += 1
                continue
            start = to_epoch_seconds(rec.get("ingested_at"))
            if start is None:
                continue
            arrival.append((arrived - start) * 1000)
            done = to_epoch_seconds(rec.get("processed_at"))
            if done is not None:
                processed.append((done - start) * 1000)
        return {"articles": len(records), "dead_letters": dead_letters, "target_rate": rate, "offered_rate": offered,
                "p50_ms": percentile(arrival, 50), "p99_ms": percentile(arrival, 99), "max_ms": max(arrival),
                "processed_at_p50_ms": percentile(processed, 50), "processed_at_p99_ms": percentile(processed, 99)}

    return asyncio.run(go())


def start_workers(settings: Settings, n: int, workdir: Path) -> list[WorkerProcess]:
    workers = []
    for i in range(n):
        s = settings if i == 0 else replace(settings, web_port=free_port())
        workers.append(WorkerProcess(s, workdir / f"{settings.app_id}-{i}.log", loglevel="warn").start())
    deadline = time.monotonic() + 180
    stable_since = None
    while time.monotonic() < deadline:  # every worker owns partitions and none is rebalancing, for 3 s
        if not all(w.alive() for w in workers):
            raise RuntimeError(f"a worker exited at start-up; see {workdir}")
        ready = all(w.wait_assigned(timeout=1.0) for w in workers)
        if ready and stable_since is None:
            stable_since = time.monotonic()
        elif not ready:
            stable_since = None
        if stable_since is not None and time.monotonic() - stable_since >= 3:
            return workers
        time.sleep(0.5)
    for w in workers:
        w.stop()
    raise RuntimeError(f"workers did not settle in 180 s; logs in {workdir}")


def run_pipeline(base: Settings, payloads: list[bytes], workers: int, workdir: Path, *, partitions: int,
                 latency_seconds: float | None = None) -> dict:
    """``workers`` worker processes on fresh topics; throughput, then (optionally) latency for
    ``latency_seconds`` at a fixed offered load of half the throughput just measured, on the same
    (warm) workers."""
    settings = scenario(base, f"pipeline{workers}", workdir, partitions)
    procs = start_workers(settings, workers, workdir)
    result: dict = {"workers": workers, "partitions": partitions}
    try:
        with RssSampler([p.pid for p in procs]) as rss:
            with RssSampler([p.pid for p in procs]) as busy:
                result.update(throughput(settings, keyed(payloads), passthrough=False,
                                         timeout=max(180.0, len(payloads) / 10)))
            result["worker_cpu_ms_per_article"] = sum(busy.cpu) * 1000 / len(payloads)
            if latency_seconds:
                rate, seconds = result["articles_per_s"] / 2, latency_seconds
                count = max(20, int(rate * seconds))
                sample = (payloads * (count // len(payloads) + 1))[:count]
                result["latency"] = offered_load(settings, keyed(sample, "~lat"), rate,
                                                 timeout=max(120.0, seconds * 4))
        result["worker_peak_rss_mb"] = rss.peak_mb()
        result["alive"] = all(p.alive() for p in procs)
    finally:
        codes = [p.stop() for p in procs]
    result["exit_codes"] = codes
    return result


def run_passthrough(base: Settings, payloads: list[bytes], workdir: Path, *, partitions: int) -> dict:
    settings = scenario(base, "passthrough", workdir, partitions)
    log = open(workdir / f"{settings.app_id}.log", "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.passthrough", "--bootstrap", settings.kafka_bootstrap_servers,
         "--source", settings.topic("raw"), "--target", settings.topic("enriched"), "--group", settings.app_id,
         "--count", str(len(payloads))],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True,
    )
    log.close()
    try:
        line = proc.stdout.readline()  # READY, or "" when it died
        if line.strip() != "READY":
            proc.wait(10)
            raise RuntimeError(f"passthrough did not start: {(workdir / f'{settings.app_id}.log').read_text()[-2000:]}")
        with RssSampler([proc.pid]) as rss:
            result = throughput(settings, keyed(payloads), passthrough=True, timeout=max(120.0, len(payloads) / 50))
        result["peak_rss_mb"] = rss.peak_mb()[0]
        result["cpu_ms_per_article"] = rss.cpu[0] * 1000 / len(payloads)
        proc.wait(60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return result
