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
from streams.devkit.local import WorkerProcess

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


def _setup(kafka_settings, shared_data, tmp_path, tag: str):
    """Settings with one partition per topic, the input slice, and ``news-streams process``'s stories."""
    run = kafka_settings.app_id.rsplit("-", 1)[1]
    settings = replace(kafka_settings, topic_prefix=f"{tag}{run}.", app_id=f"news-stories-{tag}-{run}",
                       topic_partitions=1)
    asyncio.run(ensure_topics(settings))
    path, chosen = _input(shared_data, tmp_path)
    result = CliRunner().invoke(main, ["process", str(path), "-o", str(tmp_path / "out.jsonl"), "--no-progress"])
    assert result.exit_code == 0, result.output
    batch = {r["id"]: r["story"] for r in map(orjson.loads, (tmp_path / "out.jsonl").read_bytes().splitlines())}
    return settings, chosen, batch


async def _collect(settings, want: int) -> dict[str, dict]:
    out: dict[str, dict] = {}
    async for rec in read_topic(settings, [settings.topic("stories")], timeout=240, count=want):
        out[rec.key.decode()] = orjson.loads(rec.value)
    return out


def test_stream_and_process_agree_with_one_worker(kafka_settings, shared_data, tmp_path, monkeypatch):
    monkeypatch.setenv("NEWS_STORIES", "on")  # on by default; explicit here
    settings, chosen, batch = _setup(kafka_settings, shared_data, tmp_path, "s")
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


def test_sigkill_mid_stream_then_restart_gives_the_same_stories(kafka_settings, shared_data, tmp_path, monkeypatch):
    monkeypatch.setenv("NEWS_STORIES", "on")  # on by default; explicit here
    """Kill -9 the worker while it assigns stories, start a new one: its tables come back from
    their changelogs and every article ends with the story ids of an uninterrupted run
    (at-least-once: a replayed article may appear twice, always with the same story)."""
    settings, chosen, batch = _setup(kafka_settings, shared_data, tmp_path, "k")

    records = [(r["id"].encode(), orjson.dumps(r)) for r in chosen]
    half = len(records) // 2
    first = WorkerProcess(settings, tmp_path / "worker1.log").start()
    try:
        asyncio.run(produce(settings, settings.topic("raw"), records[:half]))
        before = asyncio.run(_collect(settings, 20))  # returns at the 20th record: the worker is mid-way
    finally:
        first.kill()
    assert len(before) < half, "killed too late to test anything"
    asyncio.run(produce(settings, settings.topic("raw"), records[half:]))  # the rest arrives while it is down
    second = WorkerProcess(settings, tmp_path / "worker2.log").start()
    try:
        after = asyncio.run(_collect_all(settings, at_least=len(batch), distinct=True))
    except TimeoutError as exc:
        raise AssertionError(f"{exc}\n{_whereabouts(settings, batch, tmp_path)}") from None
    finally:
        code = second.stop()
    log = (tmp_path / "worker2.log").read_text(errors="replace")
    assert code == 0, log[-3000:]
    got: dict[str, list[dict]] = {}
    for key, value in after:
        got.setdefault(key, []).append(value["story"])
    assert set(got) == set(batch), f"missing {sorted(set(batch) - set(got))[:5]}"
    wrong = [(aid, s, batch[aid]) for aid, stories in got.items() for s in stories if s != batch[aid]]
    assert not wrong, wrong[:3]
    print(f"\n{len(before)} stories records before the kill, {len(after)} in all after the restart "
          f"({len(after) - len(batch)} duplicates), every one equal to the uninterrupted run")


async def _collect_all(settings, *, at_least: int, distinct: bool = False) -> list[tuple[str, dict]]:
    """Read the stories topic from the start until ``at_least`` records (distinct keys) arrived."""
    out: list[tuple[str, dict]] = []
    keys: set[str] = set()
    deadline = asyncio.get_running_loop().time() + 240
    while asyncio.get_running_loop().time() < deadline:
        out, keys = [], set()
        try:
            async for rec in read_topic(settings, [settings.topic("stories")], timeout=5):
                out.append((rec.key.decode(), orjson.loads(rec.value)))
                keys.add(rec.key.decode())
        except (TimeoutError, LookupError):
            pass
        if (len(keys) if distinct else len(out)) >= at_least:
            return out
        await asyncio.sleep(1.0)
    raise TimeoutError(f"{len(keys)} distinct / {len(out)} stories records, {at_least} wanted")


def _whereabouts(settings, batch: dict, tmp_path) -> str:
    """For a failed run: where along the pipeline each article without a story stopped, and the
    tails of the worker logs (what an operator would look at first)."""
    topics = [settings.topic(t) for t in ("raw", "cleaned", "enriched", "dead-letter", "stories")]
    topics.insert(3, f"{settings.topic_prefix}stories-requests")

    async def keys_by_topic() -> dict[str, Counter]:
        seen: dict[str, Counter] = {t: Counter() for t in topics}
        try:
            async for rec in read_topic(settings, topics, timeout=10):
                seen[rec.topic][(rec.key or b"").decode()] += 1
        except (TimeoutError, LookupError):
            pass
        return seen

    seen = asyncio.run(keys_by_topic())
    missing = sorted(set(batch) - set(seen[topics[-1]]))
    lines = [f"{aid}: " + ", ".join(f"{t.removeprefix(settings.topic_prefix)}={seen[t][aid]}" for t in topics)
             for aid in missing[:10]]
    for name in ("worker1.log", "worker2.log"):
        log = (tmp_path / name).read_text(errors="replace") if (tmp_path / name).exists() else ""
        lines.append(f"--- {name} (last 40 lines) ---\n" + "\n".join(log.splitlines()[-40:]))
    return "\n".join(lines)
