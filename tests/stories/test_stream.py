"""The story stage on a real Kafka broker agrees with ``news-streams process`` on the same input.

One worker, every topic with one partition, the input in published order: the worker's
``stories`` records must carry exactly the ``story`` objects that ``news-streams process``
writes for the same file (the issue's "batch and stream agree" contract). Then the web views.
"""

from __future__ import annotations

import asyncio
import json
import urllib.request
from collections import Counter
from dataclasses import replace

import orjson
import pytest
from click.testing import CliRunner

from streams.cli import main
from streams.kafka.io import produce, read_topic
from streams.kafka.topics import ensure_topics
from streams.local import WorkerProcess

pytestmark = pytest.mark.kafka

ARTICLES = 160


def _input(shared_data, tmp_path):
    rows = [orjson.loads(line) for line in (shared_data / "ar-saudinewsnet-6k.jsonl").read_bytes().splitlines()]
    rows.sort(key=lambda r: (r["published_at"], r["id"]))
    start = next(i for i, r in enumerate(rows) if r["published_at"] >= "2015-08-10T18:00")
    chosen = rows[start:start + ARTICLES]
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in chosen))
    return path, chosen


async def _collect(settings, want: int) -> dict[str, dict]:
    out: dict[str, dict] = {}
    async for rec in read_topic(settings, [settings.topic("stories")], timeout=240, count=want):
        out[rec.key.decode()] = orjson.loads(rec.value)
    return out


def test_stream_and_process_agree_with_one_worker(kafka_settings, shared_data, tmp_path):
    run = kafka_settings.app_id.rsplit("-", 1)[1]
    settings = replace(kafka_settings, topic_prefix=f"s{run}.", app_id=f"news-stories-{run}", topic_partitions=1)
    asyncio.run(ensure_topics(settings))
    path, chosen = _input(shared_data, tmp_path)

    result = CliRunner().invoke(main, ["process", str(path), "-o", str(tmp_path / "out.jsonl"), "--no-progress"])
    assert result.exit_code == 0, result.output
    batch = {r["id"]: r["story"] for r in map(orjson.loads, (tmp_path / "out.jsonl").read_bytes().splitlines())}
    sizes = Counter(s["id"] for s in batch.values())
    assert max(sizes.values()) >= 2, "the slice must contain at least one multi-article story"

    worker = WorkerProcess(settings, tmp_path / "worker.log").start()
    try:
        report = asyncio.run(produce(settings, settings.topic("raw"),
                                     [(r["id"].encode(), orjson.dumps(r)) for r in chosen]))
        assert report.sent == len(chosen) and not report.failed
        stream = asyncio.run(_collect(settings, len(batch)))
        story_id, _ = sizes.most_common(1)[0]
        base = f"http://{settings.web_host}:{settings.web_port}"
        one = json.loads(urllib.request.urlopen(f"{base}/stories/{story_id}/", timeout=10).read())
        recent = json.loads(urllib.request.urlopen(f"{base}/stories/", timeout=10).read())
        metrics = urllib.request.urlopen(f"{base}/metrics", timeout=10).read().decode()
    finally:
        code = worker.stop()
    log = (tmp_path / "worker.log").read_text(errors="replace")
    assert code == 0, log[-3000:]
    assert set(stream) == set(batch), f"missing {sorted(set(batch) - set(stream))[:5]}\n{log[-2000:]}"
    differ = [aid for aid in batch if stream[aid]["story"] != batch[aid]]
    assert not differ, [(aid, stream[aid]["story"], batch[aid]) for aid in differ[:3]]
    assert one["id"] == story_id and one["article_count"] == sizes[story_id] and one["sources"]
    assert story_id in {s["id"] for s in recent["stories"]}
    opened = next(l for l in metrics.splitlines() if l.startswith("news_stories_opened_total "))
    assert float(opened.split()[1]) == len(sizes)
    assert story_id not in metrics  # story ids never become metric labels
