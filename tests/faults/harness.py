"""Machinery shared by the fault tests: settings for a run, the corpus, a background reader of
the output topics (with Kafka timestamps, so recovery times come from the records themselves),
waits that always end, and the figures every test prints.

Each article goes in keyed by its id; ``enriched`` and ``dead-letter`` keep that key (and so the
partition). An article is *accounted for* when at least one enriched or dead-letter record names
it; *lost* = in minus accounted for; *duplicated* = output records beyond the first per article.
"""

from __future__ import annotations

import asyncio
import hashlib
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable

import orjson
from aiokafka.admin import AIOKafkaAdminClient

from streams.devkit.broker import free_port, tail_log
from streams.kafka.client import client_options
from streams.kafka.io import Received, TopicReader, produce
from streams.kafka.topics import ensure_topics
from streams.devkit.local import WorkerProcess
from streams.samples import raw_articles
from streams.settings import Settings, shared_data_dir

PARTITIONS = 4
#: Faust group timeouts for the fault tests (production: 30 s). 6 s is the broker's minimum
#: session timeout (group.min.session.timeout.ms); heartbeats every 2 s.
SESSION_TIMEOUT = 6.0
REBALANCE_TIMEOUT = 10.0


def run_settings(bootstrap: str, tmp_path: Path, **changes) -> Settings:
    """Settings with a topic prefix and consumer group of their own (runs never see each other)."""
    run = uuid.uuid4().hex[:8]
    base = Settings.from_env()
    settings = replace(
        base, kafka_bootstrap_servers=bootstrap, topic_prefix=f"f{run}.", app_id=f"news-fault-{run}",
        topic_partitions=PARTITIONS, web_host="127.0.0.1", web_port=free_port(),
        data_dir=str(tmp_path / "faust"), broker_session_timeout=SESSION_TIMEOUT,
        broker_rebalance_timeout=REBALANCE_TIMEOUT, log_format="text",
    )
    return replace(settings, **changes)


def create_topics(settings: Settings) -> None:
    asyncio.run(ensure_topics(settings))


def worker(settings: Settings, tmp_path: Path, name: str, **changes) -> WorkerProcess:
    """A worker process with a web port, state directory and log of its own."""
    s = replace(settings, web_port=free_port(), data_dir=str(tmp_path / f"faust-{name}"), **changes)
    return WorkerProcess(s, tmp_path / f"{name}.log")


def corpus(count: int) -> list[tuple[bytes, bytes]]:
    """``count`` articles as (id, line) pairs, ids unique: the first of the shared Arabic corpus, or
    synthetic Arabic articles made from the shipped samples when the research data is absent."""
    shared = shared_data_dir()
    source, lines = raw_articles(count, shared if shared.exists() else None)
    print(f"\n[faults] articles: {source}")
    return [(orjson.loads(line)["id"].encode(), line) for line in lines]


def send(settings: Settings, records: list[tuple[bytes | None, bytes]]) -> None:
    report = asyncio.run(produce(settings, settings.topic("raw"), records))
    assert report.sent == len(records) and not report.failed, report.failed[:3]


@dataclass(slots=True)
class Out:
    stage: str  # "enriched" or "dead-letter"
    partition: int
    offset: int
    key: str | None
    timestamp: float  # seconds; the worker's producer set it when it sent the record
    arrived: float  # when this reader saw it
    reason: str | None = None
    article_id: str | None = None
    payload_sha: str | None = None
    source_partition: int | None = None
    source_offset: int | None = None
    message: str | None = None


class OutputReader:
    """Reads ``enriched`` and ``dead-letter`` from the beginning in a thread, until closed."""

    def __init__(self, settings: Settings, *, isolation_level: str = "read_uncommitted",
                 keep_payload_hash: bool = False) -> None:
        self.settings = settings
        self.isolation_level = isolation_level
        self.keep_payload_hash = keep_payload_hash
        self.records: list[Out] = []
        self.seen: set[tuple[str, int, int]] = set()  # (stage, partition, offset) of every record kept
        self.reread = 0  # records this reader was handed a second time (its own re-read, not a duplicate)
        self.error: BaseException | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="output-reader", daemon=True)

    def __enter__(self) -> "OutputReader":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(30)

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # reported by the waits
            self.error = exc

    async def _main(self) -> None:
        s = self.settings
        enriched = s.topic("enriched")
        async with TopicReader(s, [enriched, s.topic("dead-letter")], isolation_level=self.isolation_level,
                               partitions=s.topic_partitions, request_timeout_ms=30000) as reader:
            while not self._stop.is_set():
                outs = [self._parse(rec.topic == enriched, rec, time.time())
                        for rec in await reader.batch(timeout_ms=200, max_records=2000)]
                if outs:
                    with self._lock:
                        self._keep(outs)

    def _keep(self, outs: list[Out]) -> None:
        """One Kafka record is one output: the reader's fetcher can hand a record over twice (a
        retried offset reset after NotLeaderForPartition on a new topic moved it back to the
        start in a CI run), which is no duplicate of the pipeline's; those are counted apart."""
        for out in outs:
            where = (out.stage, out.partition, out.offset)
            if where in self.seen:
                self.reread += 1
                continue
            self.seen.add(where)
            self.records.append(out)

    def _parse(self, is_enriched: bool, msg: Received, now: float) -> Out:
        partition = msg.partition
        key = msg.key.decode("utf-8", "replace") if msg.key else None
        if is_enriched:
            return Out("enriched", partition, msg.offset, key, msg.timestamp_ms / 1000, now)
        value = orjson.loads(msg.value)
        src = value.get("source") or {}
        sha = None
        if self.keep_payload_hash:
            sha = payload_sha(dead_letter_payload(value))
        return Out("dead-letter", partition, msg.offset, key, msg.timestamp_ms / 1000, now, value.get("reason"),
                   value.get("article_id"), sha, src.get("partition"), src.get("offset"),
                   (value.get("message") or "")[:300])

    def dump(self, path: Path) -> None:
        """Every output record seen, one JSON object per line (kept beside the worker logs)."""
        from dataclasses import asdict

        path.write_bytes(b"".join(orjson.dumps(asdict(o)) + b"\n" for o in self.snapshot()))

    def snapshot(self) -> list[Out]:
        if self.error is not None:
            raise AssertionError(f"the output reader failed: {type(self.error).__name__}: {self.error}")
        with self._lock:
            return list(self.records)

    def accounted(self, expected: set[str]) -> set[str]:
        return {o.key for o in self.snapshot() if o.key in expected} | {
            o.article_id for o in self.snapshot() if o.article_id in expected}

    def wait(self, what: str, predicate: Callable[[list[Out]], bool], timeout: float,
             alive: Callable[[], str | None] | None = None, poll: float = 0.2) -> float:
        """Wait until ``predicate(records)``; returns seconds waited. Fails with ``what`` on timeout,
        or at once when ``alive()`` returns a reason (e.g. a worker died)."""
        started = time.monotonic()
        while True:
            records = self.snapshot()
            if predicate(records):
                return time.monotonic() - started
            if alive is not None:
                problem = alive()
                if problem:
                    raise AssertionError(f"while waiting for {what}: {problem}")
            if time.monotonic() - started > timeout:
                raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what} "
                                     f"({len(records)} output records so far)")
            time.sleep(poll)

    def wait_quiet(self, quiet: float = 3.0, timeout: float = 30.0) -> None:
        """Wait until no new output has arrived for ``quiet`` seconds (late duplicates are in)."""
        deadline = time.monotonic() + timeout
        last = len(self.snapshot())
        since = time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.25)
            n = len(self.snapshot())
            if n != last:
                last, since = n, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return


def dead_letter_payload(value: dict) -> bytes | None:
    import base64

    if value.get("payload_base64") is not None:
        return base64.b64decode(value["payload_base64"])
    if value.get("payload") is not None:
        return value["payload"].encode("utf-8", "surrogatepass")
    return None


def payload_sha(payload: bytes | None) -> str:
    return "none" if payload is None else hashlib.sha256(payload).hexdigest()


def article_of(out: Out) -> str | None:
    return out.article_id if out.stage == "dead-letter" and out.article_id else out.key


@dataclass
class Figures:
    """What a fault test prints and asserts on."""

    test: str
    articles_in: int
    enriched: int = 0
    dead_lettered: int = 0
    lost: int = 0
    duplicated: int = 0
    recovery_seconds: float | None = None
    extra: dict[str, object] = field(default_factory=dict)
    missing_sample: list[str] = field(default_factory=list)
    dead_reasons: Counter = field(default_factory=Counter)

    @classmethod
    def of(cls, test: str, expected: Iterable[str], records: list[Out], **extra) -> "Figures":
        expected = set(expected)
        per_article = Counter(article_of(o) for o in records)
        enriched = {o.key for o in records if o.stage == "enriched" and o.key in expected}
        dead = {article_of(o) for o in records if o.stage == "dead-letter" and article_of(o) in expected}
        missing = expected - enriched - dead
        duplicated = sum(n - 1 for a, n in per_article.items() if a in expected and n > 1)
        reasons = Counter(o.reason for o in records if o.stage == "dead-letter")
        return cls(test, len(expected), len(enriched), len(dead - enriched), len(missing), duplicated,
                   extra=extra, missing_sample=sorted(missing)[:5], dead_reasons=reasons)

    def show(self) -> str:
        rec = "n/a" if self.recovery_seconds is None else f"{self.recovery_seconds:.1f}"
        parts = [f"articles in {self.articles_in}", f"enriched {self.enriched}", f"dead-lettered {self.dead_lettered}",
                 f"lost {self.lost}", f"duplicated {self.duplicated}", f"recovery seconds {rec}"]
        parts += [f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}" for k, v in self.extra.items()]
        line = f"\n[faults] {self.test}: " + ", ".join(parts)
        print(line, flush=True)
        return line


def first_new_output_after(records: list[Out], t: float) -> dict[int, float]:
    """Per output partition: seconds from ``t`` to the first record, stamped after ``t``, for an
    article that had no output stamped before ``t`` (progress, not a replay)."""
    before = {article_of(o) for o in records if o.timestamp <= t}
    first: dict[int, float] = {}
    for o in sorted(records, key=lambda o: o.timestamp):
        if o.timestamp > t and article_of(o) not in before and o.partition not in first:
            first[o.partition] = o.timestamp - t
    return first


def alive_check(*workers: WorkerProcess) -> Callable[[], str | None]:
    def check() -> str | None:
        for w in workers:
            if w.process is not None and w.process.poll() is not None:
                return f"worker {w.log_path.name} exited with {w.process.returncode}:\n{tail(w.log_path)}"
        return None
    return check


def tail(path: Path, lines: int = 40) -> str:
    return tail_log(path, lines)


def wait_until(what: str, predicate: Callable[[], bool], timeout: float, poll: float = 0.5) -> float:
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(poll)
    return time.monotonic() - started


async def committed_offsets(settings: Settings) -> dict[int, int]:
    """The group's committed offsets on ``raw`` (partition -> next offset to consume)."""
    admin = AIOKafkaAdminClient(**client_options(settings), request_timeout_ms=15000)
    await admin.start()
    try:
        offsets = await admin.list_consumer_group_offsets(settings.app_id)
    finally:
        await admin.close()
    raw = settings.topic("raw")
    return {tp.partition: meta.offset for tp, meta in offsets.items() if tp.topic == raw}


def stories_of(settings: Settings, wanted: set[str], timeout: float = 120.0) -> set[str]:
    """Article ids that have a ``stories`` record (the story stage's output), read from the start
    until every one of ``wanted`` has one or ``timeout`` passes."""
    async def read() -> set[str]:
        seen: set[str] = set()
        deadline = time.monotonic() + timeout
        async with TopicReader(settings, [settings.topic("stories")], partitions=settings.topic_partitions,
                               request_timeout_ms=30000) as reader:
            while not wanted <= seen and time.monotonic() < deadline:
                seen.update(r.key.decode() for r in await reader.batch(timeout_ms=500, max_records=2000) if r.key)
        return seen

    return asyncio.run(read())


def worker_log_problems(log: str) -> list[str]:
    """Agent crashes and supervisor restarts in a worker log (there must be none)."""
    return [line for line in log.splitlines() if "Crashed reason=" in line or "Restarting dead" in line]
