"""Which offsets of each input partition an agent has been handed since the assignment.

Faust can hand an agent a partition's records twice while the worker recovers tables: fetched,
then fetched again after its seek to the committed offsets. It can also drop fetched records
before an agent sees them and hand later ones (a partition not yet active), and the seek then
brings the dropped ones back: those are *not* redeliveries. So a high-water mark will not do;
this keeps the handled offsets as a few contiguous runs per partition (one in the steady state,
one more per gap), and answers "seen before?" exactly.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Any


class HandledOffsets:
    def __init__(self) -> None:
        self._runs: dict[Any, list[list[int]]] = {}  # tp -> sorted, disjoint [start, end) runs

    def clear(self) -> None:
        self._runs.clear()

    def seen(self, tp: Any, offset: int) -> bool:
        """True if ``offset`` of ``tp`` was handled already; otherwise note it and return False."""
        runs = self._runs.setdefault(tp, [])
        if runs and runs[-1][1] == offset:  # the steady state: the next offset of the last run
            runs[-1][1] = offset + 1
            return False
        i = bisect_right(runs, [offset, float("inf")]) - 1  # the run starting at or before offset
        if i >= 0 and offset < runs[i][1]:
            return True
        if i >= 0 and runs[i][1] == offset:
            runs[i][1] = offset + 1
        else:
            i += 1
            runs.insert(i, [offset, offset + 1])
        if i + 1 < len(runs) and runs[i][1] == runs[i + 1][0]:  # closed a gap: merge with the next run
            runs[i][1] = runs.pop(i + 1)[1]
        return False

    def runs(self, tp: Any) -> list[tuple[int, int]]:
        return [tuple(r) for r in self._runs.get(tp, ())]
