"""NEWS_LOG_FORMAT=json: one JSON object per line, secrets masked (the worker itself is checked
in test_live_prometheus.py)."""

from __future__ import annotations

import io
import json
import logging
import logging.config
from dataclasses import replace

from streams.service.logs import JsonFormatter, RedactSecrets, logging_config
from streams.settings import Settings

SECRET = "pa$$-w0rd-\u00e9\"quoted"


def _logger(stream: io.StringIO, secrets=(SECRET,)) -> logging.Logger:
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(secrets))
    handler.addFilter(RedactSecrets(secrets))
    log = logging.getLogger(f"test.json.{id(stream)}")
    log.handlers[:] = [handler]
    log.setLevel(logging.DEBUG)
    log.propagate = False
    return log


def test_json_lines_with_fields_extras_and_tracebacks():
    out = io.StringIO()
    log = _logger(out)
    log.info("processed %d records\nin %s", 3, "raw", extra={"stage": "clean", "partition": 2})
    try:
        raise ValueError("bad\nvalue")
    except ValueError:
        log.exception("stage failed")
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    first, second = map(json.loads, lines)
    assert first["message"] == "processed 3 records\nin raw"
    assert first["level"] == "info" and first["logger"].startswith("test.json.")
    assert first["timestamp"].endswith("Z") and "T" in first["timestamp"]
    assert first["stage"] == "clean" and first["partition"] == 2 and isinstance(first["pid"], int)
    assert second["level"] == "error" and "ValueError: bad" in second["exc_info"]


def test_secrets_are_masked_everywhere():
    out = io.StringIO()
    log = _logger(out)
    log.warning("login with %s failed", SECRET, extra={"config": {"password": SECRET, "user": "u"}})
    try:
        raise RuntimeError(f"auth failed for password {SECRET}")
    except RuntimeError:
        log.error("broker said: %r", SECRET, exc_info=True)
    text = out.getvalue()
    assert SECRET not in text and json.dumps(SECRET)[1:-1] not in text
    first, second = map(json.loads, text.splitlines())
    assert first["message"] == "login with *** failed" and first["config"] == {"password": "***", "user": "u"}
    assert "***" in second["exc_info"] and "***" in second["message"]


def test_formatter_masks_even_without_the_filter():
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter((SECRET,)))
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "secret is %s", (SECRET,), None)
    handler.emit(record)
    assert SECRET not in out.getvalue() and json.loads(out.getvalue())["message"] == "secret is ***"


def test_logging_config_applies_through_mode(capsys):
    """The dict the worker hands to Faust (app.conf.logging_config) works with mode's setup_logging."""
    from mode.utils.logging import setup_logging

    settings = replace(Settings(), log_format="json", kafka_sasl_password=SECRET)
    config = logging_config(settings)
    assert SECRET not in repr(config)  # the config lives in app.conf; the secret only in closures
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        setup_logging(loglevel="info", logging_config=config)
        logging.getLogger("streams.test").info("hello %s", SECRET, extra={"topic": "news.raw"})
        logging.getLogger("streams.test").debug("not shown at info")
        for handler in root.handlers:
            handler.flush()
    finally:
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
    lines = [l for l in capsys.readouterr().out.splitlines() if l.strip()]
    assert len(lines) == 1, lines
    record = json.loads(lines[0])
    assert record["message"] == "hello ***" and record["topic"] == "news.raw" and record["logger"] == "streams.test"

    text_config = logging_config(replace(settings, log_format="text"))
    assert text_config["handlers"]["default"]["formatter"] == "colored"
    assert text_config["handlers"]["default"]["filters"] == ["redact"]


def test_worker_keeps_the_root_logger_at_its_loglevel():
    """Faust's spinner would set the root logger to DEBUG: every debug call in Faust and aiokafka
    (several per record) would build a LogRecord for nothing."""
    from streams.service.app import Worker, create_app

    news = create_app(replace(Settings(), kafka_bootstrap_servers="127.0.0.1:1", app_id="log-level-test"))
    assert news.app.conf.Worker is Worker
    root = logging.getLogger()
    saved = root.level, root.handlers[:]
    try:
        worker = news.app.conf.Worker(news.app, loglevel="warn", logging_config=logging_config(Settings()))
        worker._setup_logging()
        assert root.level == logging.WARNING
        assert not logging.getLogger("aiokafka.producer.producer").isEnabledFor(logging.DEBUG)
    finally:
        root.setLevel(saved[0])
        root.handlers[:] = saved[1]
