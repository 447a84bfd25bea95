"""Shared by the trend tests on Kafka: records with a closing tick, and reading the trends topic."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import urllib.request
from datetime import datetime, timedelta, timezone

import orjson

from streams.kafka.io import produce, read_topic
from streams.trends.events import event_time_ms


def with_tick(records: list[dict], entities: int = 40) -> tuple[list[dict], dict]:
    """``records`` plus one article 40 days after the newest, with ``entities`` made-up entities:
    every partition of trends-mentions sees it, so its watermark passes every window of the records."""
    newest = max(event_time_ms(r)[0] for r in records)
    at = datetime.fromtimestamp(newest / 1000, timezone.utc) + timedelta(days=40)
    tick = {"id": "tick", "published_at": at.strftime("%Y-%m-%dT%H:%M:%S"), "entities": [
        {"type": "MISC", "text": f"tick-{i}", "id": None, "name": None, "count": 1,
         "mentions": [{"start": 0, "end": 1, "text": "t", "field": "text"}]} for i in range(entities)]}
    return records + [tick], tick


def produce_enriched(settings, records: list[dict]) -> None:
    report = asyncio.run(produce(settings, settings.topic("enriched"),
                                 [(r["id"].encode(), orjson.dumps(r)) for r in records]))
    assert report.sent == len(records) and not report.failed


def collect_rows(settings, done, timeout: float) -> list[dict]:
    """Rows of the trends topic, in arrival order, until ``done(rows)`` or the timeout."""
    rows: list[dict] = []

    async def read() -> None:
        async with contextlib.aclosing(read_topic(settings, [settings.topic("trends")])) as recs:
            async for rec in recs:
                rows.append(orjson.loads(rec.value))

    async def run() -> None:
        reader = asyncio.ensure_future(read())
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline and not reader.done() and not done(rows):
                await asyncio.sleep(1.0)
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader

    asyncio.run(run())
    return rows


def get_json(url: str) -> dict:
    return json.loads(urllib.request.urlopen(url, timeout=10).read())


def metric(worker_metrics: str, name: str) -> float:
    total = 0.0
    for line in worker_metrics.splitlines():
        if line.startswith(name):
            total += float(line.rsplit(" ", 1)[1])
    return total
