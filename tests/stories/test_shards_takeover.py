"""The sharded story stage under SIGKILL: two workers share the 4 key shards; the one that owns the
decider's partition is killed mid-stream, and the survivor takes over its shards and the decider
from the changelogs. Every article must get its story (duplicates equal), each equal to
StoryIndex over the order in which the decider decided (its input topic replayed in process)."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from streams.kafka.topics import ensure_topics

from .test_shards_kafka import _decider_input, check_stories
from .test_takeover import _tails, run_takeover

# Known bug (2026-11-30): after the decider's owner is SIGKILLed, 2 of 8 runs failed: one article's
# story differed from StoryIndex over the decider's order (1 of 160), and one run timed out with
# articles still undecided. Open in README "Stories" (Limits); run it with `pytest -m known_bug`.
pytestmark = [pytest.mark.kafka, pytest.mark.faults, pytest.mark.known_bug]


def test_survivor_takes_over_the_shards_and_the_decider(kafka_settings, shared_data, tmp_path) -> None:
    settings = replace(kafka_settings, stories_enabled=True, story_shards=4, broker_session_timeout=6.0,
                       broker_rebalance_timeout=10.0)
    asyncio.run(ensure_topics(settings))  # stories-keys with 4 partitions, stories-answers with 1
    run = run_takeover(settings, shared_data, tmp_path, lambda by_id: _decider_input(settings, by_id))
    answers, enriched = run.extra
    check_stories(run.stories, answers, enriched, run.by_id, run.workers)
    assert run.after > 0, "the survivor decided nothing"
    assert run.codes[run.survivor.log_path.name] == 0, _tails(run.survivor)
    print(f"\n[faults] sharded stories takeover: {len(run.by_id)} articles, 2 workers, 4 key shards; the decider's "
          f"owner SIGKILLed after {run.before:.0f} decisions; the survivor sent {run.after:.0f} records; "
          f"{len(run.stories)} stories records ({len(run.stories) - len(run.by_id)} duplicates), every one equal to "
          f"StoryIndex over the decider's order; every article had its story {run.recovered:.0f} s after the kill")
