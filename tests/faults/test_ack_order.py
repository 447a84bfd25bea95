"""At-least-once acks follow offset order within a partition, whatever order the sends finish in.

Faust commits up to the first gap in the acked offsets but also accepts a run that starts one
past the committed offset; an event acked before an earlier one of its partition (a dead letter
delivered before a cleaned record) could therefore be committed over a send still in flight.
"""

from __future__ import annotations

from types import SimpleNamespace

from streams.service.delivery import InOrderAcks


class FakeEvent:
    def __init__(self, tp: str, offset: int, acked: list) -> None:
        self.message = SimpleNamespace(tp=tp, offset=offset)
        self._acked = acked

    def ack(self) -> None:
        self._acked.append((self.message.tp, self.message.offset))


def test_acks_wait_for_earlier_offsets_of_the_same_partition():
    acked: list = []
    acks = InOrderAcks()
    a = [acks.track(FakeEvent("raw-0", o, acked)) for o in range(4)]
    b = acks.track(FakeEvent("raw-1", 0, acked))
    a[2]()  # delivered first, but offsets 0 and 1 are still in flight
    a[1]()
    b()  # another partition is independent
    assert acked == [("raw-1", 0)]
    a[0]()
    assert acked == [("raw-1", 0), ("raw-0", 0), ("raw-0", 1), ("raw-0", 2)]
    a[3]()
    assert acked[-1] == ("raw-0", 3)


def test_reset_forgets_events_that_never_completed():
    acked: list = []
    acks = InOrderAcks()
    stuck = acks.track(FakeEvent("raw-0", 0, acked))
    acks.reset()  # after a rebalance Faust replays from the committed offset
    acks.track(FakeEvent("raw-0", 0, acked))()
    assert acked == [("raw-0", 0)]
    stuck()  # a late completion of the forgotten one acks nothing new
    assert acked == [("raw-0", 0)]
