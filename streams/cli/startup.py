"""What every command that processes articles does before the first one: fail fast, in one line."""

from __future__ import annotations

import logging

import click

log = logging.getLogger(__name__)


class ConfigError(click.ClickException):
    """A usage, configuration or installation error: one line, exit code 2 (as click's usage errors)."""

    exit_code = 2


def ready_stages() -> None:
    """Import and warm every stage dependency; a broken one is a :class:`ConfigError` naming it."""
    from ..preflight import StartupError, check_dependencies

    try:
        took = check_dependencies()
    except StartupError as exc:
        raise ConfigError(str(exc)) from None
    log.info("stage dependencies ready (%s)", ", ".join(f"{name} {s:.1f} s" for name, s in took.items()))
