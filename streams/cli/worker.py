"""``news-streams worker``: the Faust worker running every agent."""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from pathlib import Path

import click

from ..kafka.client import KafkaSecurityError, check_connection
from ..kafka.topics import ensure_topics
from ..settings import Settings
from .startup import ConfigError, ready_stages

log = logging.getLogger(__name__)


def ensure_topics_with_retry(settings: Settings, wait: float = 60.0) -> None:
    """Create the stage topics, waiting for the broker to come up (compose starts both at once)."""
    deadline = time.monotonic() + wait
    while True:
        try:
            # Refused credentials or an untrusted certificate: fail now with the reason, no retries.
            asyncio.run(check_connection(settings))
            for status in asyncio.run(ensure_topics(settings)):
                log.info("topic %s: %d partitions%s", status.name, status.partitions,
                         " (created)" if status.created else "")
            return
        except KafkaSecurityError as exc:
            raise click.ClickException(str(exc)) from None
        except Exception as exc:
            if time.monotonic() > deadline:
                raise click.ClickException(
                    f"cannot reach Kafka at {settings.kafka_bootstrap_servers}: {type(exc).__name__}: {exc}")
            log.warning("Kafka at %s not ready (%s); retrying", settings.kafka_bootstrap_servers, exc)
            time.sleep(2.0)


def state_dir(settings: Settings) -> Path:
    """Create the worker's state directory with its parents (Faust would create only the last
    level, and fail in a fresh checkout or an empty directory); unusable is one line, exit 2."""
    path = Path(settings.data_dir).expanduser()
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".write-test"
        probe.touch()
        probe.unlink()
    except OSError as exc:
        raise ConfigError(f"NEWS_DATA_DIR={settings.data_dir}: the state directory cannot be created or "
                          f"written ({type(exc).__name__}: {exc.strerror or exc})") from None
    return path


def use_event_loop(settings: Settings) -> str:
    """``NEWS_EVENT_LOOP``: make the loops the worker creates from now on (its own and Faust's
    consumer thread's) uvloop's, or leave Python's. Called before the app exists."""
    if settings.event_loop == "uvloop":
        try:
            import uvloop
        except ImportError:
            raise ConfigError("NEWS_EVENT_LOOP=uvloop but uvloop is not installed (pip install uvloop, "
                              "or set NEWS_EVENT_LOOP=asyncio)") from None
        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    else:
        asyncio.set_event_loop_policy(None)
    return settings.event_loop


def _loglevel(args: list[str]) -> str:
    """The ``--loglevel``/``-l`` value among Faust's worker options (Faust's default: warn)."""
    for i, arg in enumerate(args):
        if arg.startswith("--loglevel="):
            return arg.split("=", 1)[1]
        if arg in ("--loglevel", "-l") and i + 1 < len(args):
            return args[i + 1]
    return "warn"


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True,
                                 "help_option_names": []})
@click.pass_context
def worker(ctx: click.Context) -> None:
    """Run the Faust worker (raw -> clean -> cleaned -> entities -> enriched, + dead-letter).

    Every Faust worker option is accepted (--web-port, --loglevel, ...; the web host is
    --web-host, as -h means help here); the list follows. Settings come from the environment
    (`news-streams settings --format table`).
    """
    from mode.utils.logging import setup_logging

    from ..service.app import create_app
    from ..service.logs import logging_config

    args = ["--help" if a == "-h" else a for a in ctx.args]  # Faust's -h is --web-host: here it is help
    if "--help" in args:
        click.echo(ctx.get_help() + "\n\nFaust worker options:\n")
    settings = Settings.from_env()
    # NEWS_LOG_FORMAT: Faust's worker re-applies app.conf.logging_config when it starts; applying it
    # now as well covers the lines logged before that (topic creation, broker retries).
    setup_logging(loglevel=_loglevel(args), logging_config=logging_config(settings))
    if "--help" not in args:
        ready_stages()  # a broken extractor or model: one line and exit 2, before joining the group
        state_dir(settings)
        ensure_topics_with_retry(settings)
        log.info("event loop: %s", use_event_loop(settings))
    news = create_app(settings, logging_config=logging_config(settings))
    if not any(a.startswith("--web-port") or a.startswith("-p") for a in args):
        args.append(f"--web-port={settings.web_port}")
    if not any(a.startswith("--web-bind") or a.startswith("-b") for a in args):
        args.append(f"--web-bind={settings.web_host}")
    quiet = ["--quiet"] if settings.log_format == "json" else []  # no banner: stdout is JSON lines only
    log.info("worker starting", extra={"settings": settings.masked()})
    sys.argv = ["news-streams", *quiet, "worker", *args]
    news.app.main()
