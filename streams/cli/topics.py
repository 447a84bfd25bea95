"""``news-streams topics create`` and ``news-streams settings``."""

from __future__ import annotations

import asyncio

import click
import orjson

from ..kafka.topics import ensure_topics
from ..settings import Settings


@click.group()
def topics() -> None:
    """Manage the pipeline's topics."""


@topics.command("create")
@click.option("--partitions", type=click.IntRange(1, 1000), default=None,
              help="Partition count (default: NEWS_TOPIC_PARTITIONS).")
def create(partitions: int | None) -> None:
    """Create raw, cleaned, enriched and dead-letter topics (idempotent)."""
    settings = Settings.from_env()
    try:
        statuses = asyncio.run(ensure_topics(settings, partitions=partitions))
    except Exception as exc:
        raise click.ClickException(f"cannot create topics on {settings.kafka_bootstrap_servers}: {exc}") from None
    for s in statuses:
        click.echo(f"{s.name}\t{s.partitions} partitions\t{'created' if s.created else 'exists'}")


@click.command("settings")
def show_settings() -> None:
    """Print the settings in force (secrets masked), as JSON."""
    click.echo(orjson.dumps(Settings.from_env().masked(), option=orjson.OPT_INDENT_2).decode())
