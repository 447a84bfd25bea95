"""End to end with and without the trend stage, side by side on one broker: the cost of trends.

    KAFKA_BOOTSTRAP_SERVERS=host:port .venv/bin/python -m bench.trends_e2e [--articles 600] [--rounds 2]
        [--with-stories | --stories-only]

The story stage is off in both arms (``NEWS_STORIES=off``); ``--with-stories`` turns it on in the
"on" arm too, so the ratio is that of the worker's defaults (both stateful stages) to the base
pipeline, and the "on" arm also waits until the story stage has assigned every article.
``--stories-only``: the "on" arm runs the story stage without the trend stage (its cost alone),
on the articles in published order with their dates.

Each round runs one worker on fresh topics twice, ``NEWS_TRENDS=off`` then ``on`` (the order
alternates between rounds), feeds the same raw articles of the shared corpus and measures, as
``bench.e2e`` does, enriched articles/s (the trend agents share the worker's event loop, so
their cost shows as a lower rate), and the worker's CPU milliseconds per article until the
trend stage has also read every enriched article (steadier on a shared machine). Prints a JSON
object and the ratios with/without.

``--live`` (default) sends the articles without ``published_at``, so their event time is the
raw record's Kafka timestamp, as for a live feed (windows close as time passes, few late
articles). ``--archive`` keeps the corpus dates (three weeks in random order: with the default
48 h lateness most articles are late and dropped, the rest update closed windows).

``--stage-only ENRICHED.jsonl`` measures the trend stage alone in a worker: the enriched records
go straight to ``enriched`` (nothing to clean or enrich) and the worker's CPU per article is
taken until the stage has counted them all. ``--lateness`` (default 36500d: every article
counts) and ``--sorted`` (in event-time order) choose how much of it is late updates.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import lines, load_avg, machine_info  # noqa: E402
from bench.e2e import RssSampler, keyed, scenario, start_workers, throughput  # noqa: E402
from streams.settings import Settings, shared_data_dir  # noqa: E402


def trend_articles(worker) -> float:
    import urllib.request

    text = urllib.request.urlopen(worker.metrics_url, timeout=10).read().decode()
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("news_trends_articles_total{"))


def stories_assigned(worker) -> float:
    import urllib.request

    text = urllib.request.urlopen(worker.metrics_url, timeout=10).read().decode()
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith("news_stories_seconds_count"))


def one_worker(base: Settings, payloads: list[bytes], workdir: Path, partitions: int, trends: bool) -> dict:
    settings = scenario(base, "trends-" + ("on" if trends else "off"), workdir, partitions)
    (worker,) = start_workers(settings, 1, workdir)
    try:
        with RssSampler([worker.pid]) as busy:
            result = throughput(settings, keyed(payloads), passthrough=False, timeout=max(180.0, len(payloads) / 10))
            deadline = time.monotonic() + 300
            counting = trends and os.environ.get("NEWS_TRENDS") == "on"
            stories = trends and os.environ.get("NEWS_STORIES") == "on"
            while (counting and trend_articles(worker) < result["outputs"] - result["duplicates"] - 5
                   or stories and stories_assigned(worker) < result["outputs"] - result["duplicates"] - 5):
                if time.monotonic() > deadline:  # the few dead-lettered articles never reach them
                    raise TimeoutError("the stateful stages did not read every enriched article in 300 s")
                time.sleep(0.25)
        result["worker_cpu_ms_per_article"] = sum(busy.cpu) * 1000 / len(payloads)
        result["worker_peak_rss_mb"] = busy.peak_mb()
    finally:
        result["exit_codes"] = [worker.stop()]
    return result


def stage_only(base: Settings, path: Path, articles: int, lateness: str, in_order: bool, workdir: Path) -> dict:
    records = [line for line in path.read_bytes().splitlines() if line.strip()][:articles]
    if in_order:
        records.sort(key=lambda line: orjson.loads(line).get("published_at") or "")
    os.environ["NEWS_TRENDS"], os.environ["NEWS_TRENDS_LATENESS"] = "on", lateness
    os.environ["NEWS_STORIES"] = "off"  # the trend stage alone (the story stage is on by default)
    settings = scenario(base, "trends-stage", workdir, 4)
    (worker,) = start_workers(settings, 1, workdir)
    try:
        import asyncio

        from streams.kafka.io import produce

        keyed_records = [(orjson.loads(line)["id"].encode(), line) for line in records]
        with RssSampler([worker.pid]) as busy:
            started = time.monotonic()
            asyncio.run(produce(settings, settings.topic("enriched"), keyed_records))
            while trend_articles(worker) < len(records):
                if time.monotonic() - started > 600:
                    raise TimeoutError("the trend stage did not read every article in 600 s")
                time.sleep(0.25)
            seconds = time.monotonic() - started
        metrics = _metrics(worker)
    finally:
        codes = [worker.stop()]
    rows = {kind: sum(v for k, v in metrics.items() if k.startswith(f'news_trends_rows_total{{kind="{kind}"'))
            for kind in ("close", "update")}
    return {"articles": len(records), "lateness": lateness, "in_order": in_order, "seconds": round(seconds, 1),
            "articles_per_s": round(len(records) / seconds, 1),
            "worker_cpu_ms_per_article": round(sum(busy.cpu) * 1000 / len(records), 2),
            "rows_per_article": round(sum(rows.values()) / len(records), 2), "rows": rows, "exit_codes": codes}


def _metrics(worker) -> dict[str, float]:
    import urllib.request

    text = urllib.request.urlopen(worker.metrics_url, timeout=10).read().decode()
    return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
            if line and not line.startswith("#")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=600)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--archive", dest="live", action="store_false", help="keep the corpus's published_at")
    parser.add_argument("--live", dest="live", action="store_true", default=True)
    parser.add_argument("--with-stories", action="store_true", help="the story stage on in the 'on' arm too")
    parser.add_argument("--stories-only", action="store_true",
                        help="the 'on' arm runs the story stage alone (trends off); implies --archive, articles in "
                             "published order (without dates every article would get a story of its own, unindexed)")
    parser.add_argument("--stage-only", type=Path, metavar="ENRICHED.jsonl", help="the trend stage alone in a worker")
    parser.add_argument("--lateness", default="36500d", help="with --stage-only (default: every article counts)")
    parser.add_argument("--sorted", action="store_true", help="with --stage-only: feed in event-time order")
    args = parser.parse_args()
    if args.stage_only:
        with tempfile.TemporaryDirectory(prefix="bench-trends-") as tmp:
            result = stage_only(Settings.from_env(), args.stage_only, args.articles, args.lateness, args.sorted,
                                Path(tmp))
        print(orjson.dumps({"machine": machine_info(), "load_avg": load_avg(), "stage_only": result},
                           option=orjson.OPT_INDENT_2).decode())
        print(f"trend stage alone in a worker: {result['worker_cpu_ms_per_article']:.2f} CPU ms/article, "
              f"{result['articles_per_s']:.0f} articles/s, {result['rows_per_article']:.1f} rows/article "
              f"({result['articles']} articles, lateness {args.lateness}, "
              f"{'sorted' if args.sorted else 'corpus order'})", file=sys.stderr)
        return
    payloads = lines(shared_data_dir() / "ar-saudinewsnet-6k.jsonl", args.articles)
    if args.stories_only:
        args.live, args.with_stories = False, True
        payloads.sort(key=lambda p: orjson.loads(p).get("published_at") or "")
    if args.live:
        payloads = [orjson.dumps({k: v for k, v in orjson.loads(p).items() if k != "published_at"}) for p in payloads]
    base = Settings.from_env()
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-trends-") as tmp:
        for round_ in range(args.rounds):
            for trends in (("off", "on") if round_ % 2 == 0 else ("on", "off")):
                os.environ["NEWS_TRENDS"] = "off" if args.stories_only else trends  # the worker process inherits it
                os.environ["NEWS_STORIES"] = trends if args.with_stories else "off"
                result = one_worker(base, payloads, Path(tmp), args.partitions, trends == "on")
                runs.append({"round": round_ + 1, "trends": trends, "load_avg": load_avg(),
                             "articles_per_s": round(result["articles_per_s"], 1),
                             "worker_cpu_ms_per_article": round(result["worker_cpu_ms_per_article"], 2),
                             "worker_peak_rss_mb": result["worker_peak_rss_mb"], "exit_codes": result["exit_codes"]})
                print(f"round {round_ + 1} trends {trends:>3}: {runs[-1]['articles_per_s']:7.1f} articles/s, "
                      f"{runs[-1]['worker_cpu_ms_per_article']:6.2f} CPU ms/article (load {runs[-1]['load_avg']})",
                      file=sys.stderr)

    def mean(trends: str, key: str) -> float:
        values = [r[key] for r in runs if r["trends"] == trends]
        return sum(values) / len(values)

    summary = {
        "rate_ratio_on_off": round(mean("on", "articles_per_s") / mean("off", "articles_per_s"), 3),
        "cpu_ratio_off_on": round(mean("off", "worker_cpu_ms_per_article") / mean("on", "worker_cpu_ms_per_article"), 3),
    }
    print(orjson.dumps({"machine": machine_info(), "articles": len(payloads), "runs": runs, "summary": summary},
                       option=orjson.OPT_INDENT_2).decode())
    arm = "stories" if args.stories_only else "trends and stories" if args.with_stories else "trends"
    print(f"with {arm} / without: rate {summary['rate_ratio_on_off']:.1%}, CPU per article "
          f"{summary['cpu_ratio_off_on']:.1%} (1 worker, {len(payloads)} articles, {args.rounds} round(s))",
          file=sys.stderr)


if __name__ == "__main__":
    main()
