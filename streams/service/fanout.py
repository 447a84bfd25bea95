"""One agent on ``enriched`` for every stateful stage that reads it (trends, stories).

Why one: Faust hands a record to every agent that subscribes to its topic and counts them (the
message's refcount); a record is acknowledged when every one of them has acked it. At shutdown
Faust clears the agents' buffers and then waits for every record an agent has taken to be
acknowledged (``Consumer.wait_empty``). With two agents on ``enriched`` (the trend split and the
story relay), a record that one had taken while it still sat in the other's buffer kept a count
of one for ever: the worker hung on SIGTERM until it was killed, with an ``enriched`` record
unacknowledged and every agent idle. Here one agent takes each record once and asks each enabled
stage for its outputs (a :class:`~streams.service.agents.Fanout`: ``trends-mentions`` records,
a ``stories-requests`` record); the worker's delivery acknowledges the record, in offset order,
once Kafka has all of them. A crash replays an unacknowledged record into every stage, which is
what both are built for: the trend stage does not count an (entity, article) twice, the story
stage answers a known article with its stored story.

A stage here is a :class:`Branch`: a name (its ``news_stage_seconds`` label) and a function
``StageInput -> list[Routed]`` that must not block. A branch that raises costs that article a
``internal_error`` dead letter for that stage, not the other stages' outputs.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Callable, Sequence

import faust

from ..deadletter import dead_letter
from ..errors import Reason
from ..names import Topic
from . import metrics as m
from .agents import Fanout, Routed, StageDef, StageInput, stage_agent
from .delivery import Delivery

log = logging.getLogger("streams.worker")

#: The agent's name and its ``stage`` metric label.
FANOUT = "enriched-fanout"


@dataclass(frozen=True)
class Branch:
    """A stateful stage's share of each ``enriched`` record."""

    name: str  # ``stage`` label of its time in news_stage_seconds, and of its dead letters
    split: Callable[[StageInput], list[Routed]]


def fanout_process(branches: Sequence[Branch], dead_letter_topic: str) -> Callable[[StageInput], Fanout]:
    """Every branch's outputs for one input, in branch order; a branch that raises gives a dead letter."""
    timed = [(b, m.bound(m.STAGE_SECONDS, b.name)) for b in branches]
    perf_counter = time.perf_counter

    def process(item: StageInput) -> Fanout:
        out = Fanout()
        for branch, seconds in timed:
            started = perf_counter()
            try:
                out.extend(branch.split(item))
            except Exception as exc:  # a bug in one stage must not stop the others, nor the worker
                log.exception("%s failed on %s", branch.name, item.source.describe())
                record = dead_letter(item.payload, stage=branch.name, reason=Reason.INTERNAL_ERROR,
                                     message=f"{type(exc).__name__}: {exc}", source=item.source)
                key = (record.article_id or "").encode("utf-8") or (item.event.key or b"")
                out.append(Routed(dead_letter_topic, key, record, stage=branch.name))
            seconds.observe(perf_counter() - started)
        return out

    return process


def add_fanout(app: faust.App, enriched: faust.TopicT, branches: Sequence[Branch], delivery: Delivery, *,
               dead_letter_topic: str) -> object | None:
    """Register the one agent on ``enriched`` for ``branches`` (None when there are none)."""
    if not branches:
        return None
    process = fanout_process(branches, dead_letter_topic)
    stage = StageDef(FANOUT, source=Topic.ENRICHED, target=None, build=lambda a, s: process)
    log.info("%s: one agent on %s for %s", FANOUT, enriched.get_topic_name(), ", ".join(b.name for b in branches))
    return app.agent(enriched, name=FANOUT)(
        stage_agent(stage, process, delivery, target=None, dead_letter=dead_letter_topic))
