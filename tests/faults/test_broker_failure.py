"""Broker failure on the 3-node KRaft cluster (replication 3, min.insync.replicas 2, acks=all):
SIGKILL one broker mid-stream, bring it back, then SIGKILL the active controller; articles keep
arriving throughout. Nothing is lost and the worker carries on by itself (same process, no
restart, no manual step); with the story stage on (the default), every enriched article also
gets its ``stories`` record (its tables' changelogs and ``stories-requests`` are replicated like
the base topics: RF 3, min.insync.replicas 2).

Killing both at once would leave one node of three: no controller quorum and fewer in-sync
replicas than min.insync.replicas, so no acks=all write could succeed; the test therefore
restores the first node (and waits until every partition is fully in sync again) before the
second kill.
"""

from __future__ import annotations

import asyncio
import threading
import time

from aiokafka.admin import AIOKafkaAdminClient

from streams.devkit.broker import LocalKafka, free_port_block

from .harness import (
    PARTITIONS, Figures, OutputReader, alive_check, corpus, create_topics, first_new_output_after, run_settings, send,
    stories_of, tail, wait_until, worker, worker_log_problems,
)

ARTICLES = 1500
#: From a SIGKILL until every output partition has new articles again: the controller fences
#: the dead broker after broker.session.timeout.ms (9 s), elects new leaders, clients refresh
#: metadata; a dead group coordinator also costs the worker a rejoin.
RECOVERY_BOUND = 60.0


async def _under_replicated(kafka: LocalKafka, topics: list[str]) -> int:
    admin = AIOKafkaAdminClient(**kafka.client_options(), request_timeout_ms=5000)
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    return sum(1 for t in described for p in t["partitions"] if len(p["isr"]) < len(p["replicas"]))


def under_replicated(kafka: LocalKafka, topics: list[str]) -> int:
    try:
        return asyncio.run(_under_replicated(kafka, topics))
    except Exception:
        return -1


def resumed_everywhere(out: OutputReader, expected: set[str], t: float):
    """New articles came out on every partition after ``t`` (or every article is out: a partition
    may have run out of work; a stalled one would still fail the final wait for every article)."""
    return lambda r: len(first_new_output_after(r, t)) == PARTITIONS or len(out.accounted(expected)) == len(expected)


class Feeder(threading.Thread):
    """Publishes the articles in small batches (acks=all, idempotent) while the faults happen."""

    def __init__(self, settings, records, batch: int = 50, pause: float = 0.5) -> None:
        super().__init__(daemon=True, name="feeder")
        self.settings, self.records, self.batch, self.pause = settings, records, batch, pause
        self.sent = 0
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            for i in range(0, len(self.records), self.batch):
                send(self.settings, self.records[i:i + self.batch])
                self.sent += len(self.records[i:i + self.batch])
                time.sleep(self.pause)
        except BaseException as exc:
            self.error = exc


def test_broker_and_controller_failures_lose_nothing(tmp_path):
    records = corpus(ARTICLES)
    expected = {k.decode() for k, _ in records}
    with LocalKafka(data_dir=tmp_path / "kafka", port=free_port_block(3), nodes=3) as kafka:
        settings = run_settings(kafka.bootstrap_servers, tmp_path, topic_replication=3)
        create_topics(settings)
        topics = [settings.topic(s) for s in ("raw", "cleaned", "enriched", "dead-letter")]
        with OutputReader(settings) as out:
            w = worker(settings, tmp_path, "worker").start()
            pid = w.pid
            feeder = Feeder(settings, records)
            try:
                feeder.start()
                out.wait("20% of the articles", lambda r: len(out.accounted(expected)) >= 0.2 * ARTICLES,
                         timeout=240, alive=alive_check(w))
                controller = kafka.active_controller()
                victim = next(n for n in kafka.running() if n != controller)
                kafka.kill(victim)
                t1 = time.time()
                out.wait(f"new articles on every partition after killing broker {victim}",
                         resumed_everywhere(out, expected, t1), timeout=RECOVERY_BOUND + 30, alive=alive_check(w))
                resumed1 = first_new_output_after(out.snapshot(), t1)
                kafka.restart(victim)
                kafka.wait_ready(timeout=90)
                resync = wait_until("every partition back in sync", lambda: under_replicated(kafka, topics) == 0,
                                    timeout=90, poll=1.0)

                out.wait("50% of the articles", lambda r: len(out.accounted(expected)) >= 0.5 * ARTICLES,
                         timeout=240, alive=alive_check(w))
                controller = kafka.active_controller()
                assert controller is not None, "no active controller found"
                kafka.kill(controller)
                t2 = time.time()
                out.wait(f"new articles on every partition after killing the active controller {controller}",
                         resumed_everywhere(out, expected, t2), timeout=RECOVERY_BOUND + 30, alive=alive_check(w))
                resumed2 = first_new_output_after(out.snapshot(), t2)
                new_controller = kafka.active_controller()
                kafka.restart(controller)
                feeder.join(240)
                assert feeder.error is None, f"the feeder failed: {feeder.error!r}"
                out.wait("every article", lambda r: len(out.accounted(expected)) == ARTICLES, timeout=300,
                         alive=alive_check(w))
                out.wait_quiet()
                outputs = out.snapshot()
                out.dump(tmp_path / "outputs.jsonl")
                enriched = {o.key for o in outputs if o.stage == "enriched"}
                storied = stories_of(settings, enriched) if settings.stories_enabled else None
                same_process = w.alive() and w.pid == pid
            finally:
                code = w.stop()
    assert resumed1 and resumed2, "the kills came after the last article: nothing measured"
    recovery1, recovery2 = max(resumed1.values()), max(resumed2.values())
    figures = Figures.of("broker failure (3 nodes, RF 3, min.isr 2)", expected, outputs, **{
        "killed broker": victim, "recovery after broker kill s": recovery1, "partitions resumed": (len(resumed1), len(resumed2)), "back in sync s": resync,
        "killed controller": controller, "new controller": new_controller,
        "recovery after controller kill s": recovery2, "recovery bound s": RECOVERY_BOUND,
        "stories records for enriched": "off" if storied is None else f"{len(storied & enriched)}/{len(enriched)}"})
    figures.recovery_seconds = max(recovery1, recovery2)
    figures.show()
    assert figures.lost == 0, f"lost {figures.lost}: {figures.missing_sample}\n{tail(w.log_path)}"
    if storied is not None:
        assert enriched <= storied, f"{len(enriched - storied)} enriched articles without a story: " \
                                    f"{sorted(enriched - storied)[:5]}\n{tail(w.log_path)}"
    assert new_controller is not None and new_controller != controller
    assert recovery1 < RECOVERY_BOUND and recovery2 < RECOVERY_BOUND
    assert same_process, "the worker must ride out broker failures without a restart"
    problems = worker_log_problems(w.log_path.read_text(errors="replace"))
    assert not problems, problems[:3]
    assert code == 0, f"worker exit code {code}\n{tail(w.log_path)}"
