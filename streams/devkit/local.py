"""Run the whole pipeline on this machine: worker processes and an accounting reader.

Used by ``news-streams demo``, ``bench/`` and the end-to-end and fault tests, so the tests prove
the demo's machinery too:

* :class:`WorkerProcess`: ``news-streams worker`` as a child process (its settings mirrored into
  its environment by :func:`settings_env`), waited for through ``/readyz``, stopped with SIGTERM
  or killed; :func:`vm_rss` reads a process's resident memory.
* :class:`Ledger` and :func:`collect`: did every raw record come out exactly once, enriched or
  dead-lettered? (reads ``enriched`` and ``dead-letter`` with the one topic reader).
* :func:`percentile`: nearest-rank percentiles for the demo's and benchmarks' figures.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from ..kafka.io import read_topic
from ..settings import Settings


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment that makes a child process see ``settings``."""
    return {
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
        "NEWS_TOPIC_PREFIX": settings.topic_prefix,
        "NEWS_TOPIC_PARTITIONS": str(settings.topic_partitions),
        "NEWS_TOPIC_REPLICATION": str(settings.topic_replication),
        "NEWS_APP_ID": settings.app_id,
        "NEWS_MAX_RECORD_BYTES": str(settings.max_record_bytes),
        "NEWS_PROCESSING_GUARANTEE": settings.processing_guarantee,
        "NEWS_WEB_HOST": settings.web_host,
        "NEWS_WEB_PORT": str(settings.web_port),
        "NEWS_DATA_DIR": settings.data_dir,
        "NEWS_BROKER_SESSION_TIMEOUT": str(settings.broker_session_timeout),
        "NEWS_BROKER_REBALANCE_TIMEOUT": str(settings.broker_rebalance_timeout),
        "NEWS_LOG_FORMAT": settings.log_format,
        "NEWS_STORY_STORE": settings.story_store,
        "NEWS_STORY_WINDOW_HOURS": str(settings.story_window_hours),
        "NEWS_STORY_SHARDS": str(settings.story_shards),
        "KAFKA_SECURITY_PROTOCOL": settings.kafka_security_protocol,
        "KAFKA_SASL_MECHANISM": settings.kafka_sasl_mechanism,
        "KAFKA_SASL_USERNAME": settings.kafka_sasl_username,
        "KAFKA_SASL_PASSWORD": settings.kafka_sasl_password,
        "KAFKA_SSL_CAFILE": settings.kafka_ssl_cafile,
    }


@dataclass
class WorkerProcess:
    """``news-streams worker`` as a child process, logging to a file."""

    settings: Settings
    log_path: Path
    loglevel: str = "info"
    process: subprocess.Popen | None = None

    def start(self) -> "WorkerProcess":
        env = {**os.environ, **settings_env(self.settings), "PYTHONUNBUFFERED": "1"}
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            # -P: the caller's directory is not put on sys.path (a select.py there broke the demo's worker)
            [sys.executable, "-P", "-m", "streams.cli", "worker", f"--loglevel={self.loglevel}",
             f"--web-port={self.settings.web_port}"],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()
        return self

    @property
    def metrics_url(self) -> str:
        return f"http://{self.settings.web_host}:{self.settings.web_port}/metrics"

    def wait_assigned(self, timeout: float = 90.0) -> bool:
        """Block until the worker is ready (``/readyz``) with partitions of its input topics."""
        return self.wait_ready(timeout, lambda state: state.get("assigned_partitions", 0) > 0)

    def wait_ready(self, timeout: float = 90.0, also=lambda state: True) -> bool:
        """Block until ``/readyz`` answers 200 (and ``also(its JSON)``); False on timeout or exit."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.alive():
            status, state = self.probe("/readyz")
            if status == 200 and also(state):
                return True
            time.sleep(0.5)
        return False

    def probe(self, path: str) -> tuple[int | None, dict]:
        """GET ``path`` on the worker's web port: (status, JSON body); (None, {}) when it does not answer."""
        import json
        import urllib.error
        import urllib.request

        url = f"http://{self.settings.web_host}:{self.settings.web_port}{path}"
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as exc:
            try:
                return exc.code, json.loads(exc.read())
            except ValueError:
                return exc.code, {}
        except (OSError, ValueError):
            return None, {}

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, timeout: float = 30.0) -> int | None:
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    @property
    def pid(self) -> int | None:
        return None if self.process is None else self.process.pid

    def rss_bytes(self) -> int | None:
        """Resident memory of the worker process, or None when it is gone."""
        return None if self.process is None else vm_rss(self.process.pid)


def vm_rss(pid: int) -> int | None:
    """Resident memory of process ``pid`` in bytes (Linux ``/proc``), or None when it is gone."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


@dataclass
class Ledger:
    """What came out for what went in: enriched by id, dead letters by id or raw position."""

    expected_ids: set[str]
    expected_keyless: int = 0
    enriched: dict[str, dict] = field(default_factory=dict)
    dead: dict[str, dict] = field(default_factory=dict)
    dead_keyless: dict[tuple, dict] = field(default_factory=dict)
    duplicates: int = 0
    received_at: dict[str, float] = field(default_factory=dict)

    def add_enriched(self, record: dict) -> None:
        key = record.get("id")
        if key in self.enriched or key in self.dead:
            self.duplicates += 1
        self.enriched[key] = record
        self.received_at.setdefault(key, time.time())

    def add_dead(self, record: dict) -> None:
        key = record.get("article_id")
        if key is not None and key in self.expected_ids:
            if key in self.dead or key in self.enriched:
                self.duplicates += 1
            self.dead[key] = record
        else:
            src = record.get("source") or {}
            pos = (src.get("topic"), src.get("partition"), src.get("offset"))
            if pos in self.dead_keyless:
                self.duplicates += 1
            self.dead_keyless[pos] = record

    @property
    def missing(self) -> set[str]:
        return self.expected_ids - self.enriched.keys() - self.dead.keys()

    @property
    def unaccounted(self) -> int:
        return len(self.missing) + max(0, self.expected_keyless - len(self.dead_keyless))

    @property
    def complete(self) -> bool:
        return self.unaccounted == 0

    def dead_reasons(self) -> Counter:
        return Counter(r["reason"] for r in list(self.dead.values()) + list(self.dead_keyless.values()))

    def entity_types(self) -> Counter:
        return Counter(e["type"] for r in self.enriched.values() for e in r.get("entities", ()))

    def latencies(self) -> list[float]:
        """Seconds from the raw record's Kafka timestamp to the entity stage's processed_at."""
        from ..timeutil import to_epoch_seconds

        out = []
        for r in self.enriched.values():
            a, b = to_epoch_seconds(r.get("ingested_at")), to_epoch_seconds(r.get("processed_at"))
            if a is not None and b is not None:
                out.append(max(0.0, b - a))
        return sorted(out)


async def collect(settings: Settings, ledger: Ledger, *, timeout: float, alive=None) -> Ledger:
    """Read ``enriched`` and ``dead-letter`` until the ledger is complete or ``timeout`` passes.

    ``alive`` (a callable) is polled every second; when it turns false (the worker died) the
    wait ends at once instead of running into the timeout.
    """
    enriched, dead = settings.topic("enriched"), settings.topic("dead-letter")

    async def read() -> None:
        try:
            async for rec in read_topic(settings, [enriched, dead], timeout=timeout):
                value = orjson.loads(rec.value) if rec.value else {}
                if rec.topic == enriched:
                    ledger.add_enriched(value)
                else:
                    ledger.add_dead(value)
                if ledger.complete:
                    break
        except TimeoutError:
            pass

    reader = asyncio.ensure_future(read())
    while not reader.done():
        await asyncio.wait([reader], timeout=1.0)
        if alive is not None and not alive() and not reader.done():
            reader.cancel()
            try:
                await reader
            except asyncio.CancelledError:
                pass
            raise RuntimeError("the worker exited before every record was accounted for")
    reader.result()
    return ledger


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    values = sorted(values)
    index = min(len(values) - 1, max(0, round(q / 100 * (len(values) - 1))))
    return values[index]
