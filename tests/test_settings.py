"""Settings in one place: one table parsed, printed, documented; bad values named with what is accepted."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import fields, replace
from pathlib import Path

import pytest

from streams.settings import VARIABLES, Settings, SettingsError, render_env, render_markdown, render_table

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("env, value, accepted", [
    ("NEWS_TOPIC_PARTITIONS", "abc", "integer 1..10000"),
    ("NEWS_TOPIC_PARTITIONS", "0", "integer 1..10000"),
    ("NEWS_WEB_PORT", "99999", "integer 1..65535"),
    ("NEWS_TOPIC_REPLICATION", "0", "integer 1..32"),
    ("NEWS_MAX_RECORD_BYTES", "-5", "integer 1..100000000"),
    ("NEWS_BROKER_SESSION_TIMEOUT", "soon", "number 1..3600"),
    ("NEWS_PROCESSING_GUARANTEE", "exactly-once", "at_least_once | exactly_once"),
    ("NEWS_LOG_FORMAT", "xml", "text | json"),
    ("KAFKA_SECURITY_PROTOCOL", "TLS", "PLAINTEXT | SSL | SASL_PLAINTEXT | SASL_SSL"),
    ("KAFKA_BOOTSTRAP_SERVERS", "localhost", "host:port"),
    ("NEWS_TOPIC_PREFIX", "news/", "A-Z a-z 0-9 . _ -"),
])
def test_a_bad_value_names_the_variable_and_what_is_accepted(env, value, accepted):
    with pytest.raises(SettingsError) as info:
        Settings.from_env({env: value})
    message = str(info.value)
    assert message.startswith(f"{env}=") and value in message and accepted in message, message


def test_values_are_typed_and_empty_means_default():
    s = Settings.from_env({"NEWS_TOPIC_PARTITIONS": "12", "NEWS_WEB_PORT": " 7000 ", "NEWS_APP_ID": "",
                           "NEWS_BROKER_SESSION_TIMEOUT": "6.5"})
    assert (s.topic_partitions, s.web_port, s.app_id, s.broker_session_timeout) == (12, 7000, "news-streams", 6.5)
    with pytest.raises(SettingsError, match="NEWS_WEB_PORT"):
        replace(s, web_port=0)  # programmatic changes are checked too


def test_every_field_is_one_variable_of_the_table():
    assert [v.name for v in VARIABLES] == [f.name for f in fields(Settings)]
    names = [v.env for v in VARIABLES]
    assert len(set(names)) == len(names)
    for moved_in in ("NEWS_SCHEMA_DIR", "NEWS_SHARED_DATA", "NEWS_DEMO_DIR", "NEWS_KAFKA_DEPLOY_DIR", "NEWS_CACHE_DIR"):
        assert moved_in in names
    assert [v.env for v in VARIABLES if v.secret] == ["KAFKA_SASL_PASSWORD"]


def test_nothing_else_in_the_package_reads_the_environment():
    reads = re.compile(r"os\.environ\.get|os\.environ\[|os\.getenv|environ\.get\(")
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "streams").rglob("*.py")
                 if p.name != "settings.py" and reads.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_the_readme_table_is_the_settings_table():
    assert render_markdown() in (ROOT / "README.md").read_text(encoding="utf-8")


def test_secrets_are_masked_in_every_rendering():
    s = Settings.from_env({"KAFKA_SECURITY_PROTOCOL": "SASL_SSL", "KAFKA_SASL_USERNAME": "news",
                           "KAFKA_SASL_PASSWORD": "hunter2-secret"})
    for text in (repr(s), str(s.masked()), render_table(s), render_env(), render_markdown()):
        assert "hunter2-secret" not in text
    assert s.masked()["kafka_sasl_password"] == "***"
    with pytest.raises(SettingsError) as info:
        Settings.from_env({"KAFKA_SASL_MECHANISM": "hunter2-secret"})
    assert "hunter2-secret" in str(info.value)  # not a secret: shown so the operator sees the typo
    assert s.environment()["KAFKA_SASL_PASSWORD"] == "hunter2-secret"  # a child process needs it


def _cli(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "streams.cli", *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})}, cwd=cwd)


def test_cli_refuses_a_bad_setting_in_one_line_with_exit_code_2(tmp_path):
    out = _cli("settings", env={"NEWS_WEB_PORT": "99999"}, cwd=tmp_path)
    assert out.returncode == 2
    assert out.stderr.strip() == "Error: bad configuration: NEWS_WEB_PORT=99999 is not accepted: expected integer 1..65535"


def test_settings_command_prints_every_variable_with_secrets_masked(tmp_path):
    env = {"KAFKA_SASL_PASSWORD": "hunter2-secret", "NEWS_TOPIC_PARTITIONS": "6"}
    table = _cli("settings", "--format", "table", env=env, cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    for var in VARIABLES:
        assert var.env in table.stdout
    assert "hunter2-secret" not in table.stdout and "***" in table.stdout
    as_json = _cli("settings", env=env, cwd=tmp_path)
    assert '"topic_partitions": 6' in as_json.stdout and "hunter2-secret" not in as_json.stdout
    template = _cli("settings", "--format", "env", cwd=tmp_path)
    assert [l.split("=")[0] for l in template.stdout.splitlines() if not l.startswith("#")] == \
        [v.env for v in VARIABLES]


def test_worker_dash_h_is_help_not_web_host(tmp_path):
    out = _cli("worker", "-h", cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "streams.cli worker [OPTIONS]" in out.stdout and "Faust worker options" in out.stdout and "--web-port" in out.stdout


def test_sharded_story_stage_is_refused_under_exactly_once():
    with pytest.raises(SettingsError, match="NEWS_STORY_SHARDS=4 runs the story stage at-least-once only"):
        Settings.from_env({"NEWS_STORY_SHARDS": "4", "NEWS_PROCESSING_GUARANTEE": "exactly_once"})
    assert Settings.from_env({"NEWS_STORY_SHARDS": "4", "NEWS_PROCESSING_GUARANTEE": "exactly_once",
                              "NEWS_STORIES": "off"}).story_shards == 4
    assert Settings.from_env({"NEWS_STORY_SHARDS": "1", "NEWS_PROCESSING_GUARANTEE": "exactly_once"}).exactly_once
