"""news_consumer_lag: log end minus committed offset, for the partitions this worker owns only."""

from __future__ import annotations

import asyncio
from collections import defaultdict

from faust.types import TP

from streams.service import metrics as m


class FakeConsumer:
    """The part of Faust's consumer that refresh_consumer_lag uses."""

    def __init__(self, assignment, ends, committed, starts):
        self._assignment, self._ends, self._starts = set(assignment), ends, starts
        self._committed_offset = defaultdict(lambda: None, committed)

    def assignment(self):
        return self._assignment

    async def highwaters(self, *tps):
        return {tp: self._ends[tp] for tp in tps}

    async def earliest_offsets(self, *tps):
        return {tp: self._starts[tp] for tp in tps}


def _lag() -> dict[tuple[str, str], float]:
    return {tuple(k): v._value.get() for k, v in m.CONSUMER_LAG._metrics.items()}


def test_lag_per_owned_partition():
    raw0, raw1, cleaned0, leader = TP("t.raw", 0), TP("t.raw", 1), TP("t.cleaned", 0), TP("app-__assignor-__leader", 0)
    consumer = FakeConsumer(
        [raw0, raw1, cleaned0, leader],
        ends={raw0: 120, raw1: 50, cleaned0: 7, leader: 3},
        committed={raw0: 100, cleaned0: 7},  # raw1: nothing committed yet by the group
        starts={raw1: 10, leader: 0},
    )
    asyncio.run(m.refresh_consumer_lag(consumer, ["t.raw", "t.cleaned"]))
    assert _lag() == {("t.raw", "0"): 20, ("t.raw", "1"): 40, ("t.cleaned", "0"): 0}
    assert m.ASSIGNED_PARTITIONS.labels("t.raw")._value.get() == 2
    assert m.LAG_UPDATED._value.get() > 0

    # After a rebalance this worker owns only raw[1]: the other series disappear, so a sum over
    # workers never counts a partition twice.
    consumer._assignment = {raw1}
    consumer._committed_offset[raw1] = 50
    asyncio.run(m.refresh_consumer_lag(consumer, ["t.raw", "t.cleaned"]))
    assert _lag() == {("t.raw", "1"): 0}
    assert m.ASSIGNED_PARTITIONS.labels("t.cleaned")._value.get() == 0

    consumer._assignment = set()
    asyncio.run(m.refresh_consumer_lag(consumer, ["t.raw", "t.cleaned"]))
    assert _lag() == {}
