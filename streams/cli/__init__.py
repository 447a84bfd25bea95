"""The ``news-streams`` command. Each subcommand lives in a module of its own."""

from __future__ import annotations

import logging
import sys

import click

from ..settings import Settings
from .startup import ConfigError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="news-streams")
def main() -> None:
    """Arabic-first news stream processing on Kafka: raw -> cleaned -> enriched.

    Configuration comes from environment variables (see `news-streams settings`).
    """
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                            stream=sys.stderr)
    try:
        Settings.from_env()
    except ValueError as exc:  # a mistyped environment variable: say which, do not start
        raise ConfigError(f"bad configuration: {exc}") from None


def _register() -> None:
    from . import broker, demo, inout, process, topics, trends, worker
    from .stories import stories

    main.add_command(broker.broker)
    main.add_command(worker.worker)
    main.add_command(topics.topics)
    main.add_command(inout.produce)
    main.add_command(inout.tail)
    main.add_command(process.process)
    main.add_command(trends.trends)
    main.add_command(demo.demo)
    main.add_command(topics.show_settings)
    main.add_command(stories)
    try:
        from .ner import ner
    except ImportError:  # the entity model's CLI is optional at import time
        return
    main.add_command(ner)


_register()
