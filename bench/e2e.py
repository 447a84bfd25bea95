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
import selectors
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from unittest.mock import patch

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


def offered_load(settings: Settings, records: list[tuple[bytes, bytes]], rate: float, timeout: float,
                 *, passthrough: bool = False) -> dict:
    """Send ``records`` at ``rate`` per second; latency from the raw record's Kafka timestamp to the
    enriched record's arrival at a consumer (and to its ``processed_at``). Dead letters (the
    corpus has articles that clean to nothing) are awaited too, but not part of the latency.
    ``passthrough``: the output is the raw record itself, timed from its send."""
    keys = {k for k, _ in records}
    sent_at: dict[bytes, float] = {}

    async def go() -> dict:
        reader = Reader(settings, outputs(settings, passthrough=passthrough))
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
                sent_at[key] = time.time()
                pending.append(await producer.send(settings.topic("raw"), key=key, value=value,
                                                   timestamp_ms=int(sent_at[key] * 1000)))
            await asyncio.gather(*pending)
            offered = len(records) / (time.monotonic() - t0)
        finally:
            await producer.stop()
        await wait
        arrival, processed = [], []
        dead_letters = 0
        for key, (ts, arrived, value) in reader.seen.items():
            if passthrough:
                arrival.append((arrived - sent_at[key]) * 1000)
                continue
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
                "processed_at_p50_ms": percentile(processed, 50) if processed else None,
                "processed_at_p99_ms": percentile(processed, 99) if processed else None}

    return asyncio.run(go())


def start_workers(settings: Settings, n: int, workdir: Path, process: type = WorkerProcess) -> list[WorkerProcess]:
    workers = []
    for i in range(n):
        s = settings if i == 0 else replace(settings, web_port=free_port())
        workers.append(process(s, workdir / f"{settings.app_id}-{i}.log", loglevel="warn").start())
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
                 latency_seconds: float | None = None, stub: bool = False) -> dict:
    """``workers`` worker processes on fresh topics; throughput, then (optionally) latency for
    ``latency_seconds`` at a fixed offered load of half the throughput just measured, on the same
    (warm) workers. ``stub``: stages replaced by look-ups (:mod:`bench.stubstages`)."""
    from bench import stubstages

    settings = scenario(base, f"pipeline{workers}", workdir, partitions)
    # The two stages the peers run (clean, entities). The stateful stages (trends, stories), on in
    # a worker by default, are measured side by side by ``bench.trends_e2e --with-stories``; left on
    # here, their backlog after the throughput phase held every article of the latency phase
    # for 10-17 s. The worker reads them from the environment (``settings_env`` passes neither).
    with patch.dict(os.environ, NEWS_TRENDS="off", NEWS_STORIES="off"):
        procs = start_workers(settings, workers, workdir, stubstages.worker_class() if stub else WorkerProcess)
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


def run_process(base: Settings, payloads: list[bytes], workdir: Path, *, name: str, module: str, args: list[str],
                partitions: int, passthrough: bool = False, latency_seconds: float | None = None,
                stub: bool = False) -> dict:
    """A consume -> produce loop of ``bench`` (``python -m <module>``, which prints ``READY``
    once it owns its partitions) on fresh topics: throughput, CPU and peak RSS of the process,
    then (optionally) latency at half the throughput just measured, as for the worker.

    ``stub``: its stages replaced by look-ups (:mod:`bench.stubstages`). ``args`` may use ``{bootstrap}``, ``{prefix}``, ``{raw}``, ``{enriched}``, ``{group}`` and
    ``{workdir}``. The process is stopped with SIGTERM afterwards (it commits and leaves)."""
    settings = scenario(base, name, workdir, partitions)
    fields_ = {"bootstrap": settings.kafka_bootstrap_servers, "prefix": settings.topic_prefix,
               "raw": settings.topic("raw"), "enriched": settings.topic("enriched"), "group": settings.app_id,
               "workdir": str(workdir)}
    log_path = workdir / f"{settings.app_id}.log"
    with open(log_path, "w") as log:
        from bench import stubstages

        argv = [a.format(**fields_) for a in args]
        proc = subprocess.Popen(stubstages.command(module, module, *argv) if stub else [sys.executable, "-m", module, *argv],
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True)
    result: dict = {"module": module, "partitions": partitions}
    try:
        if not _ready(proc, timeout=180):
            raise RuntimeError(f"{module} did not start: {log_path.read_text()[-3000:]}")
        with RssSampler([proc.pid]) as rss:
            with RssSampler([proc.pid]) as busy:
                result.update(throughput(settings, keyed(payloads), passthrough=passthrough,
                                         timeout=max(180.0, len(payloads) / 10)))
            result["cpu_ms_per_article"] = busy.cpu[0] * 1000 / len(payloads)
            if latency_seconds:
                rate = result["articles_per_s"] / 2
                count = max(20, int(rate * latency_seconds))
                sample = (payloads * (count // len(payloads) + 1))[:count]
                result["latency"] = offered_load(settings, keyed(sample, "~lat"), rate,
                                                 timeout=max(120.0, latency_seconds * 4), passthrough=passthrough)
        result["peak_rss_mb"] = rss.peak_mb()[0]
        result["alive"] = proc.poll() is None
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    result["exit_code"] = proc.returncode
    return result


def _ready(proc: subprocess.Popen, timeout: float) -> bool:
    """Wait for the ``READY`` line (False if the process died or stayed silent)."""
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if sel.select(timeout=1.0):
                line = proc.stdout.readline()
                if line.strip() == "READY":
                    return True
                if line == "":  # EOF: it exited
                    return False
            elif proc.poll() is not None:
                return False
    return False


def run_passthrough(base: Settings, payloads: list[bytes], workdir: Path, *, partitions: int,
                    latency_seconds: float | None = None) -> dict:
    """The bare aiokafka consume -> produce loop (``bench.passthrough``), raw -> enriched, one hop."""
    return run_process(base, payloads, workdir, name="passthrough", module="bench.passthrough", partitions=partitions,
                       passthrough=True, latency_seconds=latency_seconds,
                       args=["--bootstrap", "{bootstrap}", "--source", "{raw}", "--target", "{enriched}",
                             "--group", "{group}"])
