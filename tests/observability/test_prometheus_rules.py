"""The shipped Prometheus configuration and alert rules, checked by Prometheus' own tool."""

from __future__ import annotations

from .conftest import DEPLOY, run

RULES = DEPLOY / "prometheus" / "rules" / "news-streams.rules.yml"


def test_promtool_check_config(promtool):
    proc = run(promtool, "check", "config", str(DEPLOY / "prometheus" / "prometheus.yml"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # The config's rule_files glob finds the shipped rules (checked along with the config).
    assert "SUCCESS: 1 rule files found" in proc.stdout + proc.stderr, proc.stdout + proc.stderr


def test_promtool_check_rules(promtool):
    proc = run(promtool, "check", "rules", str(RULES))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SUCCESS" in proc.stdout


def test_promtool_rule_unit_tests(promtool):
    """Each alert fires on a synthetic series and stays quiet otherwise (deploy/prometheus/tests/)."""
    tests = sorted((DEPLOY / "prometheus" / "tests").glob("*.test.yml"))
    assert tests
    proc = run(promtool, "test", "rules", *map(str, tests), timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SUCCESS" in proc.stdout


def test_every_alert_has_a_unit_test_and_a_runbook_entry():
    import re

    alerts = set(re.findall(r"^\s*- alert: (\w+)", RULES.read_text(), flags=re.M))
    assert len(alerts) >= 6
    tested = set()
    for path in (DEPLOY / "prometheus" / "tests").glob("*.test.yml"):
        tested |= set(re.findall(r"alertname: (\w+)", path.read_text()))
    assert alerts <= tested, f"alerts without a promtool test: {sorted(alerts - tested)}"
    operating = (DEPLOY / "OPERATING.md").read_text()
    missing = [a for a in alerts if f"### {a}" not in operating]
    assert not missing, f"alerts not explained in deploy/OPERATING.md: {missing}"
