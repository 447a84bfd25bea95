"""Restart with state: a clean stop (SIGTERM) mid-stream and a restart reprocess (almost) nothing.

The worker's only state is its consumer offsets (tables: none; the store is in memory), kept
by Kafka in the group. On SIGTERM Faust waits for the events in hand to be acknowledged and
commits them, so the restarted worker resumes where the first one stopped: *reprocessed*
(articles output twice) is the measure, bounded by ``REPROCESS_BOUND``.
"""

from __future__ import annotations

import asyncio
import time

from .harness import (
    Figures, OutputReader, alive_check, committed_offsets, corpus, create_topics, first_new_output_after,
    run_settings, send, tail, worker,
)

ARTICLES = 1500
STOP_AT = 0.4
#: A clean stop commits everything acknowledged; what may still be replayed is what was in hand
#: (taken from the stream, not yet acked) when the stop began: at most a few per partition.
REPROCESS_BOUND = 8
STOP_BOUND = 30.0  # seconds for a clean stop


def test_sigterm_restart_resumes_from_committed_offsets(kafka_bootstrap, tmp_path):
    settings = run_settings(kafka_bootstrap, tmp_path)
    records = corpus(ARTICLES)
    expected = {k.decode() for k, _ in records}
    create_topics(settings)
    with OutputReader(settings) as out:
        first = worker(settings, tmp_path, "worker-1").start()
        second = None
        try:
            send(settings, records)
            out.wait(f"{STOP_AT:.0%} of the articles", lambda r: len(out.accounted(expected)) >= STOP_AT * ARTICLES,
                     timeout=180, alive=alive_check(first))
            stop_started = time.time()
            code1 = first.stop(timeout=STOP_BOUND + 30)
            stop_seconds = time.time() - stop_started
            out.wait_quiet(quiet=1.0, timeout=10)
            done_at_stop = len(out.accounted(expected))
            committed_at_stop = sum(asyncio.run(committed_offsets(settings)).values())
            restarted_at = time.time()
            second = worker(settings, tmp_path, "worker-2").start()
            out.wait("every article", lambda r: len(out.accounted(expected)) == ARTICLES, timeout=240,
                     alive=alive_check(second))
            out.wait_quiet()
            outputs = out.snapshot()
            out.dump(tmp_path / "outputs.jsonl")
        finally:
            code2 = second.stop() if second is not None else None
            first.kill()
    resumed = first_new_output_after(outputs, restarted_at)
    figures = Figures.of("restart with state (SIGTERM, restart)", expected, outputs, **{
        "done at stop": done_at_stop, "raw offsets committed at stop": committed_at_stop,
        "stop seconds": stop_seconds, "reprocess bound": REPROCESS_BOUND})
    figures.recovery_seconds = min(resumed.values(), default=None)
    figures.show()
    assert code1 == 0, f"first worker exit code {code1}\n{tail(first.log_path)}"
    assert stop_seconds < STOP_BOUND
    assert figures.lost == 0, figures.missing_sample
    # Every article that came out before the stop had its raw offset committed by the stop.
    assert committed_at_stop >= done_at_stop
    assert figures.duplicated <= REPROCESS_BOUND, f"{figures.duplicated} articles reprocessed after a clean stop"
    assert code2 == 0, f"second worker exit code {code2}\n{tail(second.log_path)}"
