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
@click.option("--format", "fmt", type=click.Choice(["json", "table", "markdown", "env"]), default="json",
              show_default=True,
              help="json: the values in force; table: values, defaults and accepted values; markdown: the "
                   "README's table; env: an .env template (every variable, its default, secrets empty).")
def show_settings(fmt: str) -> None:
    """Print the settings in force (secrets masked), or the table of every variable."""
    from ..settings import render_env, render_markdown, render_table

    if fmt == "markdown":
        click.echo(render_markdown())
    elif fmt == "env":
        click.echo(render_env())
    elif fmt == "table":
        click.echo(render_table(Settings.from_env()))
    else:
        click.echo(orjson.dumps(Settings.from_env().masked(), option=orjson.OPT_INDENT_2).decode())
