"""A new consumer group starting on a backlog, and on articles arriving while it forms: nothing lost.

Before a partition's first commit, Faust and aiokafka could skip records: Faust drops records it
fetched while a rebalance or the tables' recovery held the flow and counts on a seek to the
committed offsets to fetch them again, and aiokafka does not seek a partition that has none
(:func:`streams.kafka.internals.seek_fresh_partitions_to_start`). Two workers start together,
with the trend and story stages (tables to recover) on as by default: the first deploy of a
worker group onto a topic that already holds articles, and more arriving while it joins; then the
same under exactly_once (the story stage in the transactions) read by a read_committed consumer.
"""

from __future__ import annotations

import threading

from .harness import (
    Figures, OutputReader, alive_check, corpus, create_topics, run_settings, send, tail, worker, worker_log_problems,
)

BACKLOG = 400  # in raw before any worker starts
ARRIVING = 400  # sent while the two workers join, rebalance and recover


def _backlog_and_arrivals(settings, tmp_path, name: str, isolation_level: str = "read_uncommitted") -> Figures:
    records = corpus(BACKLOG + ARRIVING)
    expected = {k.decode() for k, _ in records}
    create_topics(settings)
    send(settings, records[:BACKLOG])
    with OutputReader(settings, isolation_level=isolation_level) as out:
        workers = [worker(settings, tmp_path, f"worker-{n}") for n in (1, 2)]
        try:
            for w in workers:
                w.start()
            arriving = threading.Thread(target=send, args=(settings, records[BACKLOG:]))
            arriving.start()
            arriving.join()
            try:
                out.wait("every article", lambda r: len(out.accounted(expected)) == len(expected), timeout=240,
                         alive=alive_check(*workers))
            except AssertionError as exc:  # the figures below say which articles are missing
                print(exc)
            out.wait_quiet()
            records_out = out.snapshot()
        finally:
            codes = [w.stop() for w in workers]
    figures = Figures.of(name, expected, records_out)
    figures.show()
    assert figures.lost == 0, f"lost {figures.lost}: {figures.missing_sample}\n" + "\n".join(
        tail(w.log_path) for w in workers)
    for w, code in zip(workers, codes):
        log = w.log_path.read_text(errors="replace")
        assert not worker_log_problems(log), worker_log_problems(log)[:3]
        assert code == 0, f"{w.log_path.name} exit code {code}\n{tail(w.log_path)}"
    return figures


def test_a_new_group_on_a_backlog_loses_nothing(kafka_bootstrap, tmp_path):
    _backlog_and_arrivals(run_settings(kafka_bootstrap, tmp_path), tmp_path, "new group on a backlog (2 workers)")


def test_a_new_group_on_a_backlog_exactly_once_every_article_once_read_committed(kafka_bootstrap, tmp_path):
    """The same under exactly_once (the story stage on, in transactions): nothing skipped before
    a partition's first commit, nothing twice for a read_committed reader."""
    settings = run_settings(kafka_bootstrap, tmp_path, processing_guarantee="exactly_once")
    figures = _backlog_and_arrivals(settings, tmp_path, "new group on a backlog (2 workers, exactly-once)",
                                    "read_committed")
    assert figures.duplicated == 0
