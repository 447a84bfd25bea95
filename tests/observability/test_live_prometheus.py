"""The real thing: a Prometheus server scrapes two running workers on the real broker.

Two ``news-streams worker`` processes (one consumer group, one host, each its own port, JSON
logs) process articles fed to ``raw``; Prometheus (Debian's binary, started here on a free
loopback port with a generated config that also loads the shipped alert rules) scrapes both.
PromQL through the HTTP API must return exactly the number of articles fed in, and the two
workers' series must not overlap (each raw partition's lag reported once).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import replace

import pytest

from streams.devkit.broker import free_port
from streams.kafka.io import produce
from streams.devkit.local import Ledger, WorkerProcess, collect

from .conftest import DEPLOY, ROOT

pytestmark = pytest.mark.kafka

ARTICLES = 40
POISON = [b"not json", b'{"id": "obs-poison-no-body"}']
SECRET = "obs-test-secret-do-not-log"


def _articles() -> list[tuple[bytes, bytes]]:
    records = []
    for i in range(ARTICLES):
        body = (f"<p>أعلنت وزارة الخارجية في القاهرة اليوم أن الوزير سامح شكري سيزور بغداد الأسبوع المقبل "
                f"لبحث التعاون بين البلدين. رقم {i}.</p><p>وقال المتحدث باسم الوزارة إن الزيارة مهمة.</p>")
        records.append((f"obs-{i}".encode(), json.dumps({"id": f"obs-{i}", "title": f"خبر {i}", "body": body,
                                                          "source": "test"}, ensure_ascii=False).encode()))
    return records + [(b"obs-poison-no-body", POISON[1]), (None, POISON[0])]


def _get(url: str, timeout: float = 5.0) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as resp:
        return resp.read()


def _wait(what: str, check, timeout: float, interval: float = 0.5, last_value=None):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = check()
            if last:
                return last
        except Exception as exc:  # not up yet
            last = exc
        time.sleep(interval)
    if last_value is not None:
        last = last_value()
    raise AssertionError(f"timed out waiting for {what}; last: {last!r}")


class Prometheus:
    def __init__(self, binary: str, tmp_path, targets: list[str]):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = tmp_path / "prometheus.yml"
        config.write_text(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
            f"rule_files:\n  - {DEPLOY / 'prometheus' / 'rules' / 'news-streams.rules.yml'}\n"
            "scrape_configs:\n  - job_name: news-streams\n    scrape_interval: 1s\n    static_configs:\n"
            f"      - targets: {json.dumps(targets)}\n"
        )
        self.log = tmp_path / "prometheus.log"
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [binary, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                 f"--web.listen-address=127.0.0.1:{self.port}", "--storage.tsdb.retention.time=1h"],
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )
        _wait("Prometheus to be ready", lambda: self.process.poll() is None and _get(f"{self.url}/-/ready"), 30)

    def query(self, promql: str) -> list[dict]:
        body = json.loads(_get(f"{self.url}/api/v1/query?" + urllib.parse.urlencode({"query": promql})))
        assert body["status"] == "success", body
        return body["data"]["result"]

    def scalar(self, promql: str) -> float | None:
        result = self.query(promql)
        return float(result[0]["value"][1]) if result else None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def test_prometheus_scrapes_workers_processing_articles(kafka_settings, prometheus_bin, tmp_path, monkeypatch):
    monkeypatch.setenv("NEWS_TRENDS", "on")  # the stateful stages (on by default): their dashboard panels must have data
    monkeypatch.setenv("NEWS_STORIES", "on")
    # The password reaches the workers (unused on PLAINTEXT) and must never appear in their logs.
    settings = replace(kafka_settings, log_format="json", kafka_sasl_password=SECRET)
    second = replace(settings, web_port=free_port(), data_dir=str(tmp_path / "faust2"))
    records = _articles()
    workers = [WorkerProcess(s, tmp_path / f"worker{i}.log").start() for i, s in enumerate((settings, second))]
    prometheus = None
    try:
        targets = [f"127.0.0.1:{s.web_port}" for s in (settings, second)]
        prometheus = Prometheus(prometheus_bin, tmp_path, targets)
        for w in workers:
            _wait(f"{w.metrics_url} /healthz", lambda w=w: w.alive() and _get(w.metrics_url.replace("/metrics", "/healthz")), 90)
        # Feed only once the group has settled with both workers owning raw partitions: a rebalance
        # in mid-flight would replay a few records (at-least-once) and the counts would not be exact.
        raw = settings.topic("raw")
        _wait("both workers to own raw partitions",
              lambda: prometheus.scalar(f'sum(news_assigned_partitions{{topic="{raw}"}})') == settings.topic_partitions
              and prometheus.scalar(f'count(news_assigned_partitions{{topic="{raw}"}} > 0)') == 2, 60)
        report = asyncio.run(produce(settings, settings.topic("raw"), records))
        assert report.sent == len(records) and not report.failed
        ids = {k.decode() for k, _ in records if k is not None}
        ledger = asyncio.run(collect(settings, Ledger(ids, expected_keyless=1), timeout=90))
        assert ledger.complete, f"unaccounted: {ledger.unaccounted}"
        enriched = len(ledger.enriched)
        assert enriched == ARTICLES

        # PromQL through the HTTP API: the counts the test fed in, summed over both workers.
        fed = len(records)
        expected = {
            'sum(news_records_total{job="news-streams", stage="clean"})': fed,
            'sum(news_records_total{stage="entities", outcome="ok"})': enriched,
            "sum(news_dead_letters_total)": fed - enriched,
            'sum(news_dead_letters_total{reason="malformed_json"})': 1,
            "sum(news_end_to_end_latency_seconds_count)": enriched,
        }
        # Scrapes happen every second: wait until one was taken after the last record.
        _wait("Prometheus to see every record",
              lambda: (lambda got: got if got == expected else None)({q: prometheus.scalar(q) for q in expected}),
              30, last_value=lambda: {q: prometheus.scalar(q) for q in expected})
        assert prometheus.scalar("sum(news_entities_total)") >= ARTICLES
        p99 = prometheus.scalar("histogram_quantile(0.99, sum by (le) (news_end_to_end_latency_seconds_bucket))")
        assert p99 is not None and p99 > 0

        # Two workers on one host: two targets, two identities, non-overlapping series.
        assert prometheus.scalar('sum(up{job="news-streams"})') == 2
        assert prometheus.scalar("sum(news_worker_ready)") == 2  # /readyz as a series, for NewsWorkerNotReady
        info = prometheus.query("news_worker_info")
        assert {r["metric"]["worker"].rsplit(":", 1)[1] for r in info} == {str(settings.web_port), str(second.web_port)}
        assert {r["metric"]["instance"] for r in info} == set(targets)
        # Each raw partition's lag comes from exactly one worker, and it drains to 0.
        _wait("lag series for every raw partition, each from one worker",
              lambda: prometheus.scalar(f'count(news_consumer_lag{{topic="{raw}"}})') == settings.topic_partitions
              and prometheus.scalar(f'max(count by (partition) (news_consumer_lag{{topic="{raw}"}}))') == 1
              and prometheus.scalar(f'sum(news_assigned_partitions{{topic="{raw}"}})') == settings.topic_partitions, 40)
        _wait("the lag to drain", lambda: prometheus.scalar("sum(news_consumer_lag)") == 0, 30)

        # The shipped rules load in a real server, and nothing fires on a healthy pipeline.
        rules = json.loads(_get(f"{prometheus.url}/api/v1/rules"))["data"]["groups"]
        alerts = [r for g in rules for r in g["rules"] if r["type"] == "alerting"]
        assert len(alerts) >= 6 and all(r["health"] == "ok" for g in rules for r in g["rules"]), rules
        assert not [a for a in prometheus.query("ALERTS") if a["metric"]["alertstate"] == "firing"]

        # Every dashboard panel shows data on this healthy pipeline, the counters that only exist
        # after a first event (back-pressure) and the story stage's (on in these workers) included:
        # no "No data" for an operator to puzzle over.
        # The rates over 1 m go first: the wait for the 10 s gauges must not age them out.
        queries = _dashboard_queries()
        assert {"Stories: opened, joined, near copies", "Story state", "Story stage time"} <= set(queries)
        for title, exprs in sorted(queries.items(), key=lambda q: q[0] == "Story state"):
            results = [prometheus.query(e) for e in exprs]
            if title == "Story state":  # the gauges are set every 10 s
                results = [_wait(f"data for {title!r}", lambda e=e: prometheus.query(e), 30) for e in exprs]
            assert any(results), f"dashboard panel {title!r} has no data: {exprs}"
            if title in {"Workers up", "Commit latency and back-pressure"}:
                assert all(results), f"a query of {title!r} has no data: {exprs}"
        assert prometheus.scalar(_dashboard_queries()["Workers up"][0]) == 2

        # The image's HEALTHCHECK command succeeds against a running worker (it asks /readyz).
        check = re.search(r'HEALTHCHECK[^\n]*\\\n\s*CMD (\[.*\])', (ROOT / "Dockerfile").read_text())
        assert check, "HEALTHCHECK CMD not found"
        cmd = json.loads(check[1])
        assert cmd[0] == "python" and "/readyz" in cmd[-1]
        assert _status(workers[0].metrics_url.replace("/metrics", "/readyz")) == 200
        healthcheck = subprocess.run([os.sys.executable, *cmd[1:]],
                                     env={**os.environ, "NEWS_WEB_PORT": str(settings.web_port)}, timeout=10)
        assert healthcheck.returncode == 0
        for w in workers:
            assert w.alive()
    finally:
        codes = [w.stop() for w in workers]
        if prometheus is not None:
            prometheus.stop()
    logs = [(tmp_path / f"worker{i}.log").read_text(errors="replace") for i in range(2)]
    assert codes == [0, 0], f"exit codes {codes}\n{logs[0][-2000:]}"

    # NEWS_LOG_FORMAT=json: every line the worker wrote is one JSON object; no secret anywhere.
    for log in logs:
        lines = log.splitlines()
        assert len(lines) > 20
        parsed = []
        for line in lines:
            try:
                parsed.append(json.loads(line))
            except ValueError:
                raise AssertionError(f"not a JSON line: {line[:200]!r}") from None
        assert all({"timestamp", "level", "logger", "message"} <= p.keys() for p in parsed)
        assert SECRET not in log
        started = next(p for p in parsed if p["message"] == "worker starting")
        assert started["settings"]["kafka_sasl_password"] == "***"
    assert any("dead-letter" in p for p in logs[0].splitlines() + logs[1].splitlines())


def _dashboard_queries() -> dict[str, list[str]]:
    """The shipped dashboard's queries per panel, as Grafana sends them with "All" workers."""
    dashboard = json.loads((DEPLOY / "grafana" / "dashboards" / "news-streams.json").read_text(encoding="utf-8"))
    return {p["title"]: [t["expr"].replace("$instance", ".*").replace("$__rate_interval", "1m") for t in p["targets"]]
            for p in dashboard["panels"] if p.get("targets")}


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code
