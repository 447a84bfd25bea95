"""Rebalance: two workers share the partitions; one is killed (SIGKILL), the survivor takes over
all partitions within ``TAKEOVER_BOUND``; later a third worker joins and takes a share; nothing
is lost."""

from __future__ import annotations

import time
import urllib.request

from .harness import (
    PARTITIONS, REBALANCE_TIMEOUT, SESSION_TIMEOUT, Figures, OutputReader, alive_check, corpus, create_topics,
    first_new_output_after, run_settings, send, tail, wait_until, worker, worker_log_problems,
)

ARTICLES = 2400  # half before the kill, half once the joiner owns partitions (so it has work)
#: The group notices a SIGKILLed member after the session timeout (6 s here), then rebalances
#: (bounded by the rebalance timeout, 10 s); the survivor then seeks to the committed offsets.
TAKEOVER_BOUND = SESSION_TIMEOUT + REBALANCE_TIMEOUT + 10.0


def metric(w, name: str, **labels: str) -> float:
    text = urllib.request.urlopen(w.metrics_url, timeout=5).read().decode()
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def assigned(w, topic: str) -> float:
    try:
        return metric(w, "news_assigned_partitions", topic=topic)
    except OSError:
        return -1


def processed(w) -> float:
    return metric(w, "news_records_total")  # both stages: the backlog may be in cleaned


def test_survivor_takes_over_and_joiner_gets_a_share(kafka_bootstrap, tmp_path):
    settings = run_settings(kafka_bootstrap, tmp_path)
    records = corpus(ARTICLES)
    expected = {k.decode() for k, _ in records}
    raw = settings.topic("raw")
    create_topics(settings)
    with OutputReader(settings) as out:
        a = worker(settings, tmp_path, "worker-a").start()
        b = worker(settings, tmp_path, "worker-b").start()
        c = None
        try:
            # Both members own partitions before any article arrives (news_assigned_partitions
            # is refreshed every 5 s).
            wait_until("both workers to own partitions",
                       lambda: assigned(a, raw) > 0 and assigned(b, raw) > 0
                       and assigned(a, raw) + assigned(b, raw) == PARTITIONS, timeout=90)
            split = (assigned(a, raw), assigned(b, raw))
            half = ARTICLES // 2
            send(settings, records[:half])
            out.wait("20% of the articles", lambda r: len(out.accounted(expected)) >= 0.2 * ARTICLES,
                     timeout=180, alive=alive_check(a, b))
            b.kill()
            killed_at = time.time()
            out.wait("new articles on every partition after the kill",
                     lambda r: len(first_new_output_after(r, killed_at)) == PARTITIONS
                     or len(out.accounted(expected)) == ARTICLES, timeout=TAKEOVER_BOUND + 30, alive=alive_check(a))
            takeover = first_new_output_after(out.snapshot(), killed_at)
            wait_until("the survivor to report all partitions", lambda: assigned(a, raw) == PARTITIONS, timeout=20)
            c = worker(settings, tmp_path, "worker-c").start()
            joined_at = time.time()
            wait_until("the joiner to own partitions", lambda: c.alive() and assigned(c, raw) > 0, timeout=90)
            join_seconds = time.time() - joined_at
            remaining_at_join = ARTICLES - len(out.accounted(expected))
            send(settings, records[half:])
            out.wait("every article", lambda r: len(out.accounted(expected)) == ARTICLES, timeout=240,
                     alive=alive_check(a, c))
            out.wait_quiet()
            outputs = out.snapshot()
            out.dump(tmp_path / "outputs.jsonl")
            by_c = processed(c)
            final_split = (assigned(a, raw), assigned(c, raw))
        finally:
            codes = [w.stop() if w is not None else None for w in (a, c)]
            b.kill()
    figures = Figures.of("rebalance (2 workers, one killed, one joins)", expected, outputs, **{
        "split before": split, "takeover s (all partitions)": max(takeover.values(), default=float("nan")),
        "takeover bound s": TAKEOVER_BOUND, "remaining at join": remaining_at_join,
        "joiner owns partitions after s": join_seconds, "processed by joiner": int(by_c), "split after join": final_split})
    figures.recovery_seconds = max(takeover.values(), default=None)
    figures.show()
    assert figures.lost == 0, f"lost {figures.missing_sample}\n{tail(a.log_path)}"
    assert len(takeover) == PARTITIONS, f"partitions resumed after the kill: {takeover}"
    assert figures.recovery_seconds < TAKEOVER_BOUND, takeover
    assert by_c > 0 and final_split[0] + final_split[1] == PARTITIONS and min(final_split) > 0
    for w in (a, c):
        problems = worker_log_problems(w.log_path.read_text(errors="replace"))
        assert not problems, problems[:3]
    assert codes == [0, 0], f"exit codes {codes}\n{tail(a.log_path)}\n{tail(c.log_path)}"
