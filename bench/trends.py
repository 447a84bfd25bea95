"""The trend stage alone, in process: articles/s per core, state size on a long replay, bad input.

    .venv/bin/python -m bench.trends [ENRICHED.jsonl] [--articles N] [--replays R]

Without a file, the first N articles of the shared Arabic corpus are cleaned and enriched first
(not timed). Prints one JSON object and a short table. Figures:

* ``core``: per article: parse the enriched JSON, extract the observations, count them
  (``TrendState.observe_article``; plain dicts as tables), every article counted (lateness unbounded);
* ``worker_path``: what the two trend agents compute per article without Kafka: parse, extract,
  encode one repartition record per entity, decode it, count, encode the rows;
* ``replay``: the corpus replayed R times, each copy 3 weeks later with fresh ids, with the
  default 48 h lateness, in event order: state entries after each copy (flat = bounded);
* ``bad_input``: outcome and time of hostile records (none may raise).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import load_avg, machine_info, measure, peak_rss_mb  # noqa: E402
from streams.trends import TrendConfig, TrendState, extract  # noqa: E402
from streams.trends.events import event_time_ms  # noqa: E402
from streams.trends.stage import by_partition, decode_group, encode_group  # noqa: E402

NOW_MS = int(time.time() * 1000)
WEEKS3_MS = 21 * 86_400_000


def enriched_lines(path: Path | None, limit: int) -> list[bytes]:
    if path is not None:
        with path.open("rb") as fh:
            return [line.rstrip(b"\n") for line, _ in zip(fh, range(limit)) if line.strip()]
    from streams.pipeline import process_payload, warm_up
    from streams.records import EnrichedArticle, SourcePosition
    from streams.settings import shared_data_dir

    warm_up()
    out = []
    with (shared_data_dir() / "ar-saudinewsnet-6k.jsonl").open("rb") as fh:
        for number, line in enumerate(fh, 1):
            if len(out) >= limit:
                break
            result = process_payload(line, SourcePosition(file="corpus", line=number), max_bytes=2_000_000)
            if isinstance(result, EnrichedArticle):
                out.append(orjson.dumps(result))
    return out


def _per_article(lines: list[bytes], count) -> dict:
    """``measure`` of parse + extract + ``count(state, observations)`` per article, all articles counted."""
    config = TrendConfig.from_strings("1h,1d", "36500d")
    state = TrendState(config)

    def one(line: bytes) -> bool:
        ex = extract(orjson.loads(line), now_ms=NOW_MS, future_ms=config.future_ms, max_entities=config.max_entities)
        if ex.observations:
            count(state, ex.observations)
        return not ex.observations

    figures = measure(one, lines, sum(map(len, lines)), warm=0)
    figures["state"] = state.size()
    return figures


def bench_core(lines: list[bytes]) -> dict:
    return _per_article(lines, lambda state, observations: state.observe_article(
        observations[0].article, observations[0].t, observations))


def bench_worker_path(lines: list[bytes]) -> dict:
    """What the agents add: grouping by partition, the repartition records' encoding and
    decoding, the rows' encoding; four partitions, each with its own state."""
    config = TrendConfig.from_strings("1h,1d", "36500d")
    seen: dict = {}
    history: dict = {}
    states = [TrendState(config, seen, history, p) for p in range(4)]

    def count(_: TrendState, observations) -> None:
        for partition, group in by_partition(observations, 4).items():
            group = decode_group(encode_group(group))
            _, rows = states[partition].observe_article(group[0].article, group[0].t, group)
            for row in rows:
                orjson.dumps(row)

    figures = _per_article(lines, count)
    figures["state"] = {kind: sum(st.size()[kind] for st in states) for kind in ("seen", "windows", "history")}
    return figures


def bench_replay(lines: list[bytes], replays: int) -> dict:
    records = sorted((orjson.loads(line) for line in lines), key=lambda r: event_time_ms(r)[0] or 0)
    config = TrendConfig()  # 1h,1d; 48 h lateness
    state = TrendState(config)
    sizes, rows, started = [], 0, time.process_time()
    for copy in range(replays):
        shift = copy * WEEKS3_MS
        for rec in records:
            ex = extract(rec, now_ms=NOW_MS, future_ms=config.future_ms, max_entities=config.max_entities)
            if ex.observations:
                article, t = f"{rec['id']}#{copy}", ex.observations[0].t + shift
                rows += len(state.observe_article(article, t, ex.observations)[1])
        sizes.append({"copy": copy + 1, **state.size()})
    cpu = time.process_time() - started
    return {"articles": len(records) * replays, "rows": rows, "cpu_seconds": round(cpu, 2),
            "articles_per_s": round(len(records) * replays / cpu), "state_after_each_copy": sizes}


def bench_bad_input() -> dict:
    ent = {"type": "PER", "text": "x", "id": None, "name": None, "count": 1,
           "mentions": [{"start": 0, "end": 1, "text": "x", "field": "text"}]}
    cases = {
        "no_entities": {"id": "a", "published_at": "2015-07-27T10:00:00", "entities": []},
        "10000_entities": {"id": "b", "published_at": "2015-07-27T10:00:00",
                           "entities": [{**ent, "text": f"e{i}"} for i in range(10_000)]},
        "far_past": {"id": "c", "published_at": "1901-01-01T00:00:00", "entities": [ent]},
        "far_future": {"id": "d", "published_at": "2999-01-01T00:00:00", "entities": [ent]},
        "unparseable_time": {"id": "e", "published_at": "not a date", "entities": [ent]},
        "year_0001": {"id": "f", "published_at": "0001-01-01T00:00:00", "entities": [ent]},
        "not_an_object": [1, 2, 3],
    }
    config = TrendConfig()
    out = {}
    for name, rec in cases.items():
        state = TrendState(config)
        started = time.perf_counter()
        ex = extract(rec, now_ms=NOW_MS, future_ms=config.future_ms, max_entities=config.max_entities)
        outcome = state.observe_article(ex.observations[0].article, ex.observations[0].t, ex.observations)[0] \
            if ex.observations else None
        out[name] = {"counted": len(ex.observations) if outcome == "counted" else 0, "refused": ex.skipped,
                     "ms": round((time.perf_counter() - started) * 1000, 2)}
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("input", nargs="?", type=Path, help="enriched JSON Lines (default: enrich the shared corpus)")
    parser.add_argument("--articles", type=int, default=6_000)
    parser.add_argument("--replays", type=int, default=4)
    args = parser.parse_args()
    lines = enriched_lines(args.input, args.articles)
    load_before = load_avg()
    result = {
        "machine": machine_info(),
        "core": bench_core(lines),
        "worker_path": bench_worker_path(lines),
        "replay": bench_replay(lines, args.replays),
        "bad_input": bench_bad_input(),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "load_avg": {"before": load_before, "after": load_avg()},
    }
    print(orjson.dumps(result, option=orjson.OPT_INDENT_2).decode())
    core, path = result["core"], result["worker_path"]
    print(f"\ntrend stage in process, {core['articles']} articles, one thread (load {load_before}):", file=sys.stderr)
    print(f"  core         {core['articles_per_s']:>8,.0f} articles/s per core  p50 {core['p50_ms']:.3f} ms  "
          f"p99 {core['p99_ms']:.3f} ms", file=sys.stderr)
    print(f"  worker path  {path['articles_per_s']:>8,.0f} articles/s per core  p50 {path['p50_ms']:.3f} ms  "
          f"p99 {path['p99_ms']:.3f} ms", file=sys.stderr)
    print(f"  replay x{args.replays}    {result['replay']['articles_per_s']:>8,} articles/s; state after each copy: "
          + ", ".join(f"{s['seen']}/{s['windows']}/{s['history']}" for s in result["replay"]["state_after_each_copy"])
          + " (seen/windows/history)", file=sys.stderr)


if __name__ == "__main__":
    main()
