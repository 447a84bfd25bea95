"""``news-streams produce`` (feed raw articles) and ``news-streams tail`` (read a topic)."""

from __future__ import annotations

import asyncio
import sys

import click

from ..devkit.feed import read_inputs
from ..kafka.io import produce as produce_records
from ..kafka.io import read_topic
from ..settings import STAGE_TOPICS, Settings


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option("--as-is", is_flag=True, help="Send each line's bytes unchanged, even if it is not JSON.")
@click.option("--topic", "stage", type=click.Choice(STAGE_TOPICS), default="raw", show_default=True)
def produce(files: tuple[str, ...], as_is: bool, stage: str) -> None:
    """Publish raw articles from JSON Lines, JSON (object or array) or .txt files.

    Records are keyed by their `id`. Lines that are not JSON are reported (file:line) and
    skipped, unless --as-is is given; the pipeline judges everything else.
    """
    settings = Settings.from_env()
    topic = settings.topic(stage)
    bad = 0

    def records():
        nonlocal bad
        for rec in read_inputs(list(files), as_is=as_is):
            if rec.error is not None:
                bad += 1
                click.echo(f"{rec.file}:{rec.line}: skipped: {rec.error}", err=True)
                continue
            yield rec.key, rec.payload

    try:
        report = asyncio.run(produce_records(settings, topic, records()))
    except Exception as exc:
        raise click.ClickException(f"cannot produce to {topic} on {settings.kafka_bootstrap_servers}: {exc}")
    for key, error in report.failed:
        click.echo(f"send failed for key {key!r}: {error}", err=True)
    click.echo(f"sent {report.sent} record(s) to {topic}; {bad} unparseable line(s) skipped; "
               f"{len(report.failed)} failed", err=True)
    if report.failed or bad:
        sys.exit(1)


@click.command()
@click.option("--topic", "stage", type=click.Choice(STAGE_TOPICS), default="enriched", show_default=True)
@click.option("--count", "-n", type=click.IntRange(1), default=None, help="Stop after N records.")
@click.option("--timeout", type=float, default=None, help="Give up after S seconds (exit 1).")
@click.option("--from-end", is_flag=True, help="Only records that arrive from now on.")
def tail(stage: str, count: int | None, timeout: float | None, from_end: bool) -> None:
    """Print a topic's records as JSON Lines (from the beginning unless --from-end)."""
    settings = Settings.from_env()
    topic = settings.topic(stage)
    out = sys.stdout.buffer

    async def run() -> int:
        n = 0
        async for rec in read_topic(settings, [topic], from_end=from_end, timeout=timeout, count=count):
            out.write((rec.value or b"null").rstrip(b"\n") + b"\n")
            out.flush()
            n += 1
        return n

    try:
        asyncio.run(run())
    except TimeoutError as exc:
        click.echo(f"tail {topic}: timed out: {exc}", err=True)
        sys.exit(1)
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None
    except KeyboardInterrupt:
        pass
