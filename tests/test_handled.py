"""Redelivery detection (streams/service/handled.py) is exact: an offset is "seen" only if it was
handed before, whatever the order; a record Faust dropped and brings back after a seek is new."""

from __future__ import annotations

from hypothesis import given, strategies as st

from streams.service.handled import HandledOffsets


def test_records_dropped_before_a_seek_are_not_redeliveries():
    handled = HandledOffsets()
    tp = ("raw", 0)
    # offsets 0-2 were fetched and dropped by Faust (partition not active yet); 3-5 reached the agent
    assert [handled.seen(tp, o) for o in (3, 4, 5)] == [False] * 3
    # the seek to the start brings back 0-5: 0-2 are new, 3-5 are redeliveries, then the stream goes on
    assert [handled.seen(tp, o) for o in range(7)] == [False, False, False, True, True, True, False]
    assert handled.runs(tp) == [(0, 7)]
    assert handled.seen(("raw", 1), 3) is False  # partitions are apart
    handled.clear()
    assert handled.seen(tp, 3) is False  # a new assignment starts afresh


@given(st.lists(st.integers(min_value=0, max_value=60), max_size=200))
def test_seen_is_exactly_membership_in_what_was_handed(offsets):
    handled, handed = HandledOffsets(), set()
    for offset in offsets:
        assert handled.seen("tp", offset) == (offset in handed)
        handed.add(offset)
    runs = handled.runs("tp")
    assert {o for start, end in runs for o in range(start, end)} == handed
    assert all(a[1] < b[0] for a, b in zip(runs, runs[1:]))  # disjoint, sorted, merged
