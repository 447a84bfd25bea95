"""The fault tests' output reader counts Kafka records, not deliveries to itself."""

from __future__ import annotations

from streams.settings import Settings

from .harness import Out, OutputReader


def test_a_record_handed_to_the_reader_twice_is_kept_once():
    reader = OutputReader(Settings())
    first = [Out("enriched", 0, 0, "a", 0.0, 0.0), Out("enriched", 0, 1, "b", 0.0, 0.0),
             Out("dead-letter", 0, 0, "c", 0.0, 0.0)]
    reader._keep(first)
    # the fetcher goes back to offset 0 of enriched[0]; a real duplicate (the same article at a new offset) stays
    reader._keep([Out("enriched", 0, 0, "a", 0.0, 0.0), Out("enriched", 0, 2, "a", 0.0, 0.0)])
    assert [(o.stage, o.offset, o.key) for o in reader.snapshot()] == [
        ("enriched", 0, "a"), ("enriched", 1, "b"), ("dead-letter", 0, "c"), ("enriched", 2, "a")]
    assert reader.reread == 1
