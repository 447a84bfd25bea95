"""Every metric the dashboard and the alert rules use exists in the worker's registry.

Names are the contract between the worker and its dashboards/alerts; a renamed metric would
leave a panel empty or an alert silent without anyone noticing. Labels used in selectors
(``name{label=...}``) must exist on the metric too.
"""

from __future__ import annotations

import json
import re

from prometheus_client.metrics import MetricWrapperBase

from streams.service import metrics as m

from .conftest import DEPLOY

DASHBOARD = DEPLOY / "grafana" / "dashboards" / "news-streams.json"
RULES = DEPLOY / "prometheus" / "rules" / "news-streams.rules.yml"
NAME = re.compile(r"\b((?:news|process)_[a-z0-9_]+)\b(\{[^}]*\})?")
#: Labels Prometheus adds at scrape time (and ``le`` on histogram buckets).
TARGET_LABELS = {"job", "instance"}


def exposed() -> dict[str, set[str]]:
    """Sample name -> label names, for every series the worker's registry can expose."""
    out: dict[str, set[str]] = {}

    def add(name: str, kind: str, labels: set[str]) -> None:
        suffixes = {"counter": ("_total", "_created"), "histogram": ("_bucket", "_count", "_sum", "_created"),
                    "summary": ("", "_count", "_sum", "_created"), "info": ("_info",)}.get(kind, ("",))
        for suffix in suffixes:
            out.setdefault(name + suffix, set()).update(labels | ({"le"} if suffix == "_bucket" else set()))

    for obj in vars(m).values():
        if isinstance(obj, MetricWrapperBase):
            add(obj._name, obj._type, set(obj._labelnames))
    for family in list(m.FAUST_MONITOR.describe()) + list(m.REGISTRY.collect()):
        labels = set(getattr(family, "_labelnames", ()) or ())
        for sample in family.samples:
            labels |= set(sample.labels)
        add(family.name, family.type, labels)
    return out


def referenced(text: str) -> list[tuple[str, set[str]]]:
    refs = []
    for name, selector in NAME.findall(text):
        labels = set(re.findall(r"([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)", selector)) if selector else set()
        refs.append((name, labels))
    return refs


def dashboard_exprs() -> list[str]:
    dashboard = json.loads(DASHBOARD.read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p.get("targets", ())]
    exprs += [v["definition"] for v in dashboard["templating"]["list"] if v.get("definition")]
    return exprs


def check(refs: list[tuple[str, set[str]]], where: str) -> None:
    known = exposed()
    unknown = sorted({n for n, _ in refs if n not in known})
    assert not unknown, f"{where} uses metrics the worker does not expose: {unknown}"
    bad = sorted({(n, lbl) for n, labels in refs for lbl in labels - known[n] - TARGET_LABELS})
    assert not bad, f"{where} selects on labels the metric does not have: {bad}"


def test_contract_metrics_are_registered():
    known = exposed()
    for name, labels in [("news_records_total", {"stage", "outcome"}), ("news_stage_seconds_bucket", {"stage", "le"}),
                         ("news_end_to_end_latency_seconds_bucket", {"le"}), ("news_entities_total", {"type"}),
                         ("news_dead_letters_total", {"stage", "reason"}),
                         ("news_consumer_lag", {"topic", "partition"}), ("news_article_bytes_bucket", {"le"}),
                         ("news_in_flight_records", {"stage"}), ("news_send_errors_total", {"stage"}),
                         ("news_worker_info", {"app_id", "worker", "version"}),
                         ("process_cpu_seconds_total", set()), ("process_resident_memory_bytes", set())]:
        assert name in known, name
        assert known[name] == labels, (name, known[name])


def test_dashboard_metrics_exist():
    exprs = dashboard_exprs()
    refs = [r for e in exprs for r in referenced(e)]
    assert len({n for n, _ in refs}) >= 15
    check(refs, "the Grafana dashboard")


def test_alert_rule_metrics_exist():
    refs = referenced(RULES.read_text())
    assert {n for n, _ in refs} >= {"news_consumer_lag", "news_records_total", "news_dead_letters_total",
                                    "news_end_to_end_latency_seconds_bucket", "news_send_errors_total"}
    check(refs, "the alert rules")


def test_dashboard_covers_the_issue_panels():
    dashboard = json.loads(DASHBOARD.read_text())
    titles = " | ".join(p["title"] for p in dashboard["panels"]).lower()
    for words in ("throughput per stage", "lag per partition", "latency", "dead letters by reason",
                  "entities by type", "cpu", "memory"):
        assert words in titles, words
    exprs = " ".join(dashboard_exprs())
    assert "histogram_quantile(0.99" in exprs and "process_cpu_seconds_total" in exprs
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids))
    # Every panel reads the provisioned Prometheus through the data source variable.
    provisioned = (DEPLOY / "grafana" / "provisioning" / "datasources" / "prometheus.yml").read_text()
    assert "uid: prometheus" in provisioned
    assert all(p["datasource"]["uid"] == "${datasource}" for p in dashboard["panels"] if p["type"] != "row")
