"""What every command that processes articles does before the first one: fail fast, in one line."""

from __future__ import annotations

import logging
import os

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


def require_readable(paths: tuple[str, ...] | list[str]) -> None:
    """Every input file readable before any work starts; else one line, exit 2 ("-" is stdin)."""
    for path in paths:
        if path != "-" and not (os.path.isfile(path) and os.access(path, os.R_OK)):
            why = "no such file" if not os.path.exists(path) else "not a file" if not os.path.isfile(path) \
                else "not readable"
            raise ConfigError(f"cannot read {path}: {why}")
