"""End to end on a real Kafka broker: nothing lost, every record enriched or dead-lettered."""

from __future__ import annotations

import asyncio
import urllib.request
from pathlib import Path

import orjson
import pytest

from streams.devkit.feed import read_inputs
from streams.kafka.io import produce
from streams.devkit.local import Ledger, WorkerProcess, collect
from streams.samples import raw_articles

from ..conftest import research_data

pytestmark = pytest.mark.kafka

SAMPLES = Path(__file__).resolve().parents[2] / "streams" / "samples"
CORPUS_ARTICLES = 200


def test_pipeline_accounts_for_every_record(kafka_settings, seed_article, tmp_path):
    """On the research corpus and seed article when present, else on the shipped sample (as the
    seed) and synthetic Arabic articles made from the samples: the same checks either way."""
    settings = kafka_settings
    records, ids, keyless = [], set(), 0
    source, corpus = raw_articles(CORPUS_ARTICLES, research_data())
    print(f"\narticles: {source}")
    corpus_file, seed_file = tmp_path / "corpus.jsonl", tmp_path / "seed.json"
    corpus_file.write_bytes(b"\n".join(corpus) + b"\n")
    seed_file.write_bytes(seed_article)
    seed_word = "بومبيو" if research_data() is not None else "بغداد"
    for path, as_is in [(seed_file, False), (corpus_file, False), (SAMPLES / "poison.jsonl", True)]:
        for rec in read_inputs([str(path)], as_is=as_is):
            records.append((rec.key, rec.payload))
            if rec.key is None:
                keyless += 1
            else:
                ids.add(rec.key.decode())
    assert len(records) == 1 + CORPUS_ARTICLES + 6

    worker = WorkerProcess(settings, tmp_path / "worker.log").start()
    try:
        report = asyncio.run(produce(settings, settings.topic("raw"), records))
        assert report.sent == len(records) and not report.failed
        ledger = asyncio.run(collect(settings, Ledger(ids, keyless), timeout=240))
        metrics = urllib.request.urlopen(worker.metrics_url, timeout=10).read().decode()
        assert worker.alive(), "the worker must survive poison records"
    finally:
        code = worker.stop()
    log = (tmp_path / "worker.log").read_text(errors="replace")
    assert ledger.complete, f"unaccounted: {ledger.unaccounted}, missing {sorted(ledger.missing)[:5]}\n{log[-3000:]}"
    assert code == 0, f"worker exit code {code}\n{log[-3000:]}"
    total_out = len(ledger.enriched) + len(ledger.dead) + len(ledger.dead_keyless)
    assert total_out == len(records)
    print(f"\nin {len(records)}, enriched {len(ledger.enriched)}, dead-lettered "
          f"{len(ledger.dead) + len(ledger.dead_keyless)} {dict(ledger.dead_reasons())}, duplicates {ledger.duplicates}")

    # The poison records each end as one dead letter with the right reason.
    reasons = ledger.dead_reasons()
    for reason in ("malformed_json", "not_an_object", "missing_field", "empty_body", "wrong_type"):
        assert reasons[reason] >= 1, reasons
    assert ledger.dead["poison-no-body"]["source"]["topic"] == settings.topic("raw")
    assert ledger.dead["poison-no-body"]["source"]["offset"] is not None

    # The seed article: cleaned text, entities with offsets that point at their text.
    seed = ledger.enriched["seed-0001"]
    assert seed["text"] and seed_word in seed["text"]
    assert seed["entities"]
    for entity in seed["entities"]:
        for mention in entity["mentions"]:
            source = {"text": seed["text"], "title": seed["title"], "byline": seed["byline"],
                      "dateline": (seed["dateline"] or {}).get("text")}[mention["field"]]
            assert source[mention["start"]:mention["end"]] == mention["text"]
    assert seed["ingested_at"] and seed["processed_at"] >= seed["ingested_at"]

    # The worker's own counters agree with what came out of the topics.
    ok_line = next(l for l in metrics.splitlines() if l.startswith('news_records_total{outcome="ok",stage="entities"}')
                   or l.startswith('news_records_total{stage="entities",outcome="ok"}'))
    assert float(ok_line.rsplit(" ", 1)[1]) >= len(ledger.enriched)


def test_cli_topics_produce_and_tail(kafka_settings, tmp_path):
    import os
    import subprocess
    import sys

    from streams.devkit.local import settings_env

    env = {**os.environ, **settings_env(kafka_settings)}

    def cli(*args, timeout=120):
        return subprocess.run([sys.executable, "-m", "streams.cli", *args], env=env, capture_output=True,
                              text=True, timeout=timeout)

    first, second = cli("topics", "create"), cli("topics", "create")
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    from streams.settings import STAGE_TOPICS

    assert second.stdout.count("exists") == len(STAGE_TOPICS)  # raw .. dead-letter, trends-mentions, trends, stories

    feed = tmp_path / "feed.jsonl"
    feed.write_text('{"id": "a", "body": "نص"}\nnot json at all\n{"id": "b", "body": "text"}\n')
    produced = cli("produce", str(feed))
    assert produced.returncode == 1  # a bad line is reported, and makes the exit code say so
    assert f"{feed}:2: skipped" in produced.stderr and "sent 2 record(s)" in produced.stderr
    as_is = cli("produce", "--as-is", str(feed))
    assert as_is.returncode == 0 and "sent 3 record(s)" in as_is.stderr

    tailed = cli("tail", "--topic", "raw", "--count", "5", "--timeout", "30")
    assert tailed.returncode == 0, tailed.stderr
    lines = tailed.stdout.splitlines()
    assert len(lines) == 5 and "not json at all" in lines
    assert {orjson.loads(l)["id"] for l in lines if l.startswith("{")} == {"a", "b"}

    timed_out = cli("tail", "--topic", "raw", "--count", "50", "--timeout", "3")
    assert timed_out.returncode == 1 and "timed out" in timed_out.stderr
