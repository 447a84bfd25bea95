"""Hostile input through a real worker: >= 1,000 bad records (hand-made + hypothesis).

What is asserted, record by record (each payload is distinct, and a dead letter carries its
payload, so outputs are matched to inputs):

* every record yields exactly one output record in total (enriched + dead-letter); if the
  worker's group changed after its first assignment (on a loaded box a huge hostile record held
  the worker past its session timeout, and the replay of its uncommitted window repeated 12 to 146
  records), a record may repeat its one outcome once per group change, never with another outcome;
* a record the ingest edge rejects (``decode_raw``: bad UTF-8, not JSON, not an object, a
  missing or mistyped field, over ``NEWS_MAX_RECORD_BYTES``, ...) ends as one dead letter with
  exactly the reason ``decode_raw`` gives, its payload byte for byte, and its raw position;
* a record the edge accepts (it *is* a valid raw article) ends either as one enriched record
  with its id, or as one dead letter from a later stage with a content reason (``nothing_left``
  when cleaning leaves no text); ``internal_error`` only for exactly the valid records that JSON
  cannot re-encode (an unknown field nested deeper than orjson's 255 levels: the cleaned record
  carries it in ``extra``), whose dead letter says "could not encode ... Recursion limit";
* the worker is the same process from start to end, its log shows no agent crash or restart,
  and its resident memory stays within the bound stated below.
"""

from __future__ import annotations

import threading
import time
from collections import Counter

import orjson

from streams.errors import Reason, Rejected
from streams.ingest import decode_raw

from .harness import (
    Figures, OutputReader, alive_check, create_topics, payload_sha, run_settings, send, tail, wait_until, worker,
    worker_log_problems,
)
from .hostile import corpus

GENERATED = 1000
#: Peak RSS of the worker over the whole run. The worker idles at ~250 MiB (models loaded);
#: the corpus holds four 10 MB records (each rejected before decoding) and several 1-2 MB ones.
RSS_BOUND_MIB = 1024
RSS_GROWTH_BOUND_MIB = 600


def _expectation(payload: bytes, max_bytes: int) -> tuple[str, str | None]:
    try:
        raw = decode_raw(payload, max_bytes=max_bytes)
    except Rejected as exc:
        return "rejected", str(exc.reason)
    try:
        orjson.dumps(raw.extra)
    except TypeError:
        return "unencodable", raw.id
    return "valid", raw.id


def test_hostile_records_each_end_as_one_record(kafka_bootstrap, tmp_path):
    settings = run_settings(kafka_bootstrap, tmp_path)
    records = corpus(GENERATED)
    assert len(records) >= 1000
    expect = {payload_sha(p): (label, *_expectation(p, settings.max_record_bytes)) for label, p in records}
    valid_ids = Counter(v for _, kind, v in expect.values() if kind == "valid")
    unencodable = {sha for sha, (_, kind, _) in expect.items() if kind == "unencodable"}
    create_topics(settings)

    w = worker(settings, tmp_path, "worker").start()
    peak = {"rss": 0}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak["rss"] = max(peak["rss"], w.rss_bytes() or 0)
            time.sleep(0.1)

    with OutputReader(settings, keep_payload_hash=True) as out:
        try:
            wait_until("the worker to be ready", lambda: "Worker]: Ready" in w.log_path.read_text(errors="replace"),
                       timeout=90)
            baseline = w.rss_bytes() or 0
            pid = w.pid
            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            started = time.monotonic()
            wire = []
            for _, payload in records:
                kind, value = expect[payload_sha(payload)][1:]
                wire.append((None if kind == "rejected" else value.encode(), payload))
            send(settings, wire)
            out.wait("one output per hostile record", lambda r: len(r) >= len(records), timeout=300,
                     alive=alive_check(w))
            out.wait_quiet()
            elapsed = time.monotonic() - started
            outputs = out.snapshot()
            out.dump(tmp_path / "outputs.jsonl")
            assert w.alive() and w.pid == pid, "the worker must survive every hostile record"
        finally:
            stop.set()
            code = w.stop()
    log = w.log_path.read_text(errors="replace")

    # One output per record, unless the worker's group changed after its first assignment: then
    # the uncommitted window is replayed (at-least-once) and a record may repeat its one outcome;
    # those repeats are counted and bounded, never a different outcome.
    assignments = max(1, log.count("Setting newly assigned partitions"))
    allowed = assignments  # each group change can replay a record once more
    dead = [o for o in outputs if o.stage == "dead-letter"]
    enriched = [o for o in outputs if o.stage == "enriched"]
    by_sha = Counter(o.payload_sha for o in dead)
    wrong: list[str] = []
    for sha, (label, kind, value) in expect.items():
        n = by_sha.get(sha, 0)
        if kind == "rejected":
            reasons = [o.reason for o in dead if o.payload_sha == sha]
            if not reasons or set(reasons) != {value} or len(reasons) > allowed:
                wrong.append(f"{label}: expected one dead letter {value!r}, got {reasons}")
        elif kind == "unencodable":
            got = [(o.reason, o.message) for o in dead if o.payload_sha == sha]
            if (not got or len(got) > allowed
                    or any(r != "internal_error" or "Recursion limit" not in m for r, m in got)):
                wrong.append(f"{label}: expected one internal_error dead letter (cannot encode), got {got}")
        elif n > allowed:
            wrong.append(f"{label}: {n} dead letters")
    for o in dead:
        if o.payload_sha not in expect:
            wrong.append(f"dead letter for an unknown payload ({o.reason}, raw offset {o.source_offset})")
        if o.source_partition is None or o.source_offset is None or not o.reason:
            wrong.append(f"dead letter without reason or raw position: {o}")
    # Valid articles: enriched, or dead-lettered by a later stage, once per record (ids may repeat).
    enriched_ids = Counter(o.key for o in enriched)
    dead_valid = Counter(expect[o.payload_sha][2] for o in dead if o.payload_sha in expect
                         and expect[o.payload_sha][1] == "valid")
    for article_id, n in valid_ids.items():
        if not n <= enriched_ids.get(article_id, 0) + dead_valid.get(article_id, 0) <= n * allowed:
            wrong.append(f"valid article {article_id!r}: {n} record(s) in, {enriched_ids.get(article_id, 0)} enriched "
                         f"+ {dead_valid.get(article_id, 0)} dead-lettered out")
    for article_id in enriched_ids.keys() - valid_ids.keys():
        wrong.append(f"enriched record for an id no valid input had: {article_id!r}")
    reasons = Counter(o.reason for o in dead)
    later_reasons = Counter(o.reason for o in dead if expect.get(o.payload_sha, ("", ""))[1] == "valid")

    figures = Figures(
        "hostile input", len(records), enriched=len(enriched), dead_lettered=len(dead),
        lost=max(0, len(records) - len(outputs)), duplicated=max(0, len(outputs) - len(records)),
        extra={"hand-made": sum(1 for label, _ in records if not label.startswith("generated-")),
               "generated": sum(1 for label, _ in records if label.startswith("generated-")),
               "valid raw articles": sum(valid_ids.values()) + len(unencodable),
               "of which JSON cannot re-encode": len(unencodable), "seconds": elapsed,
               "baseline RSS MiB": baseline / 2**20, "peak RSS MiB": peak["rss"] / 2**20,
               "RSS bound MiB": RSS_BOUND_MIB, "reasons": dict(reasons.most_common()),
               "records the reader was handed twice": out.reread},
    )
    figures.show()
    group = [line for line in log.splitlines() if "Setting newly assigned" in line or "Revoking previously" in line]
    assert not wrong, (f"{len(wrong)} mismatch(es):\n" + "\n".join(wrong[:20]) +
                       f"\nthe worker's group changes ({len(group)}):\n" + "\n".join(group[:10]))
    repeats = len(outputs) - len(records)
    assert repeats == 0 or (assignments > 1 and repeats > 0), (
        f"{repeats} outputs beyond one per record, {assignments} assignment(s)")
    assert reasons[str(Reason.INTERNAL_ERROR)] == len(unencodable), "a stage failed on some input (internal_error)"
    assert set(later_reasons) <= {str(Reason.NOTHING_LEFT)}, later_reasons
    for reason in ("invalid_utf8", "malformed_json", "not_an_object", "missing_field", "wrong_type", "too_large",
                   "empty_body", "nothing_left", "schema_violation"):
        assert reasons[reason] >= 1, f"the corpus no longer exercises {reason}"
    assert peak["rss"] <= RSS_BOUND_MIB * 2**20, f"peak RSS {peak['rss'] / 2**20:.0f} MiB"
    assert peak["rss"] - baseline <= RSS_GROWTH_BOUND_MIB * 2**20
    problems = worker_log_problems(log)
    assert not problems, problems[:3]
    assert code == 0, f"worker exit code {code}\n{tail(w.log_path)}"
