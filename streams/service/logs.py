"""Log configuration for the worker: plain text (Faust's default look) or one JSON object per line.

``NEWS_LOG_FORMAT=json`` makes every log record a single line of JSON on stdout::

    {"timestamp": "2025-01-01T12:00:00.123Z", "level": "info", "logger": "streams.worker",
     "message": "...", "pid": 7, ...extras}

"extras" are the attributes a caller passed with ``log.info(..., extra={...})``; an exception
adds ``exc_info`` (the formatted traceback, still inside the one line).

Faust's worker (``mode.Worker``) configures logging itself when it starts, from
``app.conf.logging_config``; :func:`logging_config` returns the dict that goes there (merged over
mode's defaults, so ``--loglevel`` keeps working). In both formats a filter masks secrets (the
SASL password) wherever they might appear: message, arguments, traceback, extras.
"""

from __future__ import annotations

import logging
import traceback
from datetime import datetime, timezone
from typing import Any, Iterable

import orjson

from ..settings import VARIABLES, Settings

MASK = "***"

#: Attributes every LogRecord has; anything else on a record is an "extra".
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


def _secrets_from_env() -> tuple[str, ...]:
    settings = Settings.from_env()
    return tuple(s for s in (getattr(settings, v.name) for v in VARIABLES if v.secret) if s)


def redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        if secret and secret in text:
            text = text.replace(secret, MASK)
    return text


def _redact_value(value: Any, secrets: tuple[str, ...]) -> Any:
    if isinstance(value, str):
        return redact(value, secrets)
    if isinstance(value, dict):
        return {k: _redact_value(v, secrets) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redact_value(v, secrets) for v in value]
    return value


class RedactSecrets(logging.Filter):
    """Masks the configured secrets in a record before any formatter sees it.

    The message is rendered (``msg % args``) and masked; a traceback is rendered into
    ``exc_text`` and masked; string extras are masked.
    """

    def __init__(self, secrets: Iterable[str] | None = None) -> None:
        super().__init__()
        self.secrets = tuple(s for s in (secrets if secrets is not None else _secrets_from_env()) if s)

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep the raw parts, masked
            message = f"{record.msg} {record.args}"
        record.msg, record.args = redact(message, self.secrets), None
        if record.exc_info and not record.exc_text:
            record.exc_text = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
            record.exc_info = None  # formatters use exc_text; the masked copy is the only one left
        for key, value in list(vars(record).items()):
            if key not in _STANDARD and not key.startswith("_"):
                setattr(record, key, _redact_value(value, self.secrets))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: timestamp (UTC, ISO 8601), level, logger, message, pid, extras."""

    def __init__(self, secrets: Iterable[str] | None = None) -> None:
        super().__init__()
        self.secrets = tuple(s for s in (secrets if secrets is not None else _secrets_from_env()) if s)

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            out["exc_info"] = record.exc_text
        if record.stack_info:
            out["stack_info"] = self.formatStack(record.stack_info)
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and key not in out:
                out[key] = value
        if self.secrets:  # second line of defence, in case the filter was not installed
            out = _redact_value(out, self.secrets)
        return orjson.dumps(out, default=repr).decode("utf-8")


def logging_config(settings: Settings) -> dict[str, Any]:
    """``logging.config.dictConfig`` input for ``app.conf.logging_config`` (merged over mode's defaults).

    Handler ``default`` replaces mode's: JSON lines on stdout for ``json``; for ``text`` mode's
    coloured formatter on stderr, as before. The secret filter sits on both. The root level stays
    mode's (``--loglevel``).
    """
    secrets = tuple(s for s in (settings.kafka_sasl_password,) if s)
    # Factories close over the secrets, so the config (kept in app.conf) never holds them in clear.
    handler: dict[str, Any] = {"filters": ["redact"]}
    config: dict[str, Any] = {
        "merge": True,
        "filters": {"redact": {"()": lambda: RedactSecrets(secrets)}},
    }
    if settings.log_format == "json":
        handler.update({"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json"})
        config["formatters"] = {"json": {"()": lambda: JsonFormatter(secrets)}}
    else:  # mode's own look: coloured text on stderr
        handler.update({"class": "colorlog.StreamHandler", "formatter": "colored"})
    config["handlers"] = {"default": handler}
    return config
