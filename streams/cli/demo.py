"""``news-streams demo``: the embedded default, end to end on a real broker, in one command."""

from __future__ import annotations

import asyncio
import sys
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

import click
import orjson

from ..devkit.feed import read_inputs
from ..devkit.broker import BrokerError, LocalKafka, free_port, free_port_block, port_open, tail_log
from ..kafka.io import produce, read_topic
from ..kafka.topics import ensure_topics
from ..devkit.local import Ledger, WorkerProcess, collect, percentile
from ..names import Topic
from ..settings import Settings, is_set, shared_data_dir

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def _news_of_one_stretch(corpus: Path, size: int) -> list[bytes]:
    """``size`` consecutive articles of the corpus in published order, from its middle: what a
    day or so of every outlet looks like, so the same news reported by several outlets is in it."""
    lines = [line for line in corpus.read_bytes().splitlines(keepends=True) if line.strip()]
    dated = sorted((str(orjson.loads(line).get("published_at") or ""), n) for n, line in enumerate(lines))
    start = max(0, (len(dated) - size) // 2)
    return [lines[n] for _, n in dated[start:start + size]]


def default_inputs(sample_size: int) -> list[tuple[str, bool]]:
    """(path, as_is) pairs: the seed article and a corpus sample, or the bundled sample; plus poison."""
    settings = Settings.from_env()
    shared = shared_data_dir(settings)
    inputs: list[tuple[str, bool]] = []
    seed = shared / "samples" / "seed-article.json"
    corpus = shared / "ar-saudinewsnet-6k.jsonl"
    if seed.exists() and corpus.exists():
        sample = Path(settings.demo_dir) / "corpus-sample.jsonl"
        sample.parent.mkdir(parents=True, exist_ok=True)
        sample.write_bytes(b"".join(_news_of_one_stretch(corpus, sample_size)))
        inputs.append((str(sample), False))
        # the seed (2020) goes last: sent first, it would move the story stage's event-time
        # watermark five years past the corpus (2015), and every corpus article would be "late"
        inputs.append((str(seed), False))
    else:
        from ..samples import raw_articles

        click.echo(f"(shared data not found at {shared}; using the bundled sample articles and {sample_size} "
                   "synthetic Arabic articles made from them)", err=True)
        inputs.append((str(SAMPLES / "sample-articles.jsonl"), False))
        synthetic = Path(settings.demo_dir) / "synthetic-sample.jsonl"
        synthetic.parent.mkdir(parents=True, exist_ok=True)
        synthetic.write_bytes(b"\n".join(raw_articles(sample_size)[1]) + b"\n")
        inputs.append((str(synthetic), False))
    inputs.append((str(SAMPLES / "poison.jsonl"), True))
    return inputs


@click.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
@click.option("--sample", "sample_size", default=300, show_default=True,
              help="How many shared-corpus articles the default input takes.")
@click.option("--timeout", default=300.0, show_default=True, help="Seconds to wait for every article.")
@click.option("--keep", is_flag=True, help="Keep the broker's data directory afterwards.")
def demo(files: tuple[str, ...], sample_size: int, timeout: float, keep: bool) -> None:
    """Broker, topics, worker, articles in, summary out; then stop everything.

    Uses KAFKA_BOOTSTRAP_SERVERS when set, else starts a local Kafka itself. Exits
    non-zero if any article is unaccounted for (neither enriched nor dead-lettered).
    """
    started = time.monotonic()
    base = Settings.from_env()
    run = time.strftime("%Y%m%d-%H%M%S")
    workdir = Path(base.demo_dir).resolve()
    kafka: LocalKafka | None = None
    worker: WorkerProcess | None = None
    stories: dict[str, dict] | None = None
    try:
        if is_set("KAFKA_BOOTSTRAP_SERVERS"):
            bootstrap = base.kafka_bootstrap_servers
            click.echo(f"using Kafka at {bootstrap}", err=True)
        else:
            port = 9092 if not port_open("127.0.0.1", 9092) and not port_open("127.0.0.1", 10092) else free_port_block()
            kafka = LocalKafka(data_dir=workdir / f"kafka-{run}", port=port)
            click.echo(f"starting a local Kafka on 127.0.0.1:{port} (first run: Maven downloads it) ...", err=True)
            kafka.prepare()
            kafka.start()
            kafka.wait_ready()
            bootstrap = kafka.bootstrap_servers
        settings = replace(
            base, kafka_bootstrap_servers=bootstrap, topic_prefix=f"demo-{run}.", app_id=f"news-demo-{run}",
            web_port=free_port(), data_dir=str(workdir / f"faust-{run}"),
            broker_session_timeout=10.0, broker_rebalance_timeout=10.0,
        )
        statuses = asyncio.run(ensure_topics(settings))
        click.echo("topics: " + ", ".join(f"{s.name} ({s.partitions})" for s in statuses), err=True)
        worker = WorkerProcess(settings, workdir / f"worker-{run}.log", loglevel="warn").start()
        click.echo(f"worker started (log: {worker.log_path}, metrics: {worker.metrics_url})", err=True)
        if not worker.wait_assigned():
            raise click.ClickException(f"the worker did not join its group; last lines of {worker.log_path}:\n"
                                       f"{tail_log(worker.log_path, 20)}")

        inputs = [(f, False) for f in files] or default_inputs(sample_size)
        ids: set[str] = set()
        keyless = 0
        records = []
        for path, as_is in inputs:
            for rec in read_inputs([path], as_is=as_is):
                records.append((rec.key, rec.payload))
                if rec.key is not None and rec.error is None:
                    ids.add(rec.key.decode("utf-8", "replace"))
                else:
                    keyless += 1
        # A keyed record whose id is not a string (wrong type) carries no usable key: count it keyless.
        report = asyncio.run(produce(settings, settings.topic("raw"), records))
        if report.failed:
            raise click.ClickException(f"{len(report.failed)} record(s) could not be produced: {report.failed[:3]}")
        click.echo(f"published {report.sent} raw record(s); waiting for the pipeline ...", err=True)
        ledger = Ledger(ids, keyless)
        try:
            asyncio.run(collect(settings, ledger, timeout=timeout, alive=worker.alive))
        except RuntimeError as exc:
            click.echo(f"{exc}; last lines of {worker.log_path}:\n{tail_log(worker.log_path, 20)}", err=True)
        stories = _stories(settings, len(ledger.enriched)) if settings.stories_enabled else None
        metrics = _scrape(worker.metrics_url)
    except BrokerError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        if worker is not None:
            worker.stop()
        if kafka is not None:
            kafka.stop()
            if not keep:
                import shutil

                shutil.rmtree(kafka.data_dir, ignore_errors=True)
    _print_summary(ledger, report.sent, metrics, worker.metrics_url, time.monotonic() - started)
    _print_product(ledger, stories)
    if not ledger.complete:
        click.echo(f"FAILED: {ledger.unaccounted} article(s) unaccounted for "
                   f"(missing ids: {sorted(ledger.missing)[:10]}); worker log: {worker.log_path}", err=True)
        sys.exit(1)


def _stories(settings: Settings, enriched: int, timeout: float = 30.0) -> dict[str, dict]:
    """The ``stories`` records of this run by article id (they trail ``enriched`` by a hop)."""
    out: dict[str, dict] = {}

    async def read() -> None:
        async for rec in read_topic(settings, [settings.topic(Topic.STORIES)], timeout=timeout):
            value = orjson.loads(rec.value or b"{}")
            if isinstance(value.get("story"), dict):
                out[str(value.get("id"))] = value["story"]
            if len(out) >= enriched:
                return

    try:
        asyncio.run(read())
    except (TimeoutError, LookupError):
        pass  # the summary says how many arrived
    return out


def _print_product(ledger: Ledger, stories: dict[str, dict] | None = None) -> None:
    """One enriched article as a reader sees it, the stories the run made, and why the dead
    letters were refused."""
    from .show import pick_article, render_article, render_dead_letters, render_stories

    article = pick_article(ledger.enriched)
    title = "One enriched article, as a reader sees it"
    lines = ["", title, "=" * len(title)]
    lines.append(render_article(article) if article is not None else "(no article was enriched)")
    if stories is not None:
        lines += ["", render_stories(stories, ledger.enriched)]
    lines += ["", render_dead_letters(list(ledger.dead.values()) + list(ledger.dead_keyless.values()))]
    click.echo("\n".join(lines))


def _scrape(url: str) -> dict[str, float]:
    """The worker's own counters, as a cross-check of what the topics say."""
    try:
        text = urllib.request.urlopen(url, timeout=5).read().decode()
    except OSError:
        return {}
    out: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith(("news_records_total", "news_dead_letters_total")):
            name, _, value = line.rpartition(" ")
            out[name] = float(value)
    return out


def _print_summary(ledger: Ledger, sent: int, metrics: dict[str, float], url: str, seconds: float) -> None:
    lat = ledger.latencies()
    fmt = lambda v: "n/a" if v is None else f"{v * 1000:.0f} ms"  # noqa: E731
    lines = [
        "",
        "news-streams demo summary",
        "=========================",
        f"raw records published   {sent}",
        f"enriched                {len(ledger.enriched)}",
        f"dead-lettered           {len(ledger.dead) + len(ledger.dead_keyless)}",
        f"unaccounted             {ledger.unaccounted}",
        f"duplicates seen         {ledger.duplicates}",
    ]
    for reason, n in ledger.dead_reasons().most_common():
        lines.append(f"  dead letter: {reason:<18} {n}")
    lines.append("entities by type        " + (", ".join(f"{t} {n}" for t, n in ledger.entity_types().most_common())
                                              or "none"))
    lines.append(f"latency raw->enriched   (one burst) p50 {fmt(percentile(lat, 50))}, p95 {fmt(percentile(lat, 95))}, "
                 f"p99 {fmt(percentile(lat, 99))}, max {fmt(lat[-1] if lat else None)}")
    lines.append(f"metrics (while running) {url}")
    for name, value in sorted(metrics.items()):
        lines.append(f"  {name} {value:g}")
    lines.append(f"total time              {seconds:.1f} s")
    click.echo("\n".join(lines))
