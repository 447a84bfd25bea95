"""The pipeline on a broker that only speaks SASL/SCRAM-SHA-512 over TLS (certificates made
here with keytool; SCRAM users created when the storage is formatted), wrong credentials and
wrong trust that fail at once with a clear message, and secrets that never show.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
import urllib.request
from dataclasses import replace

import pytest

from streams.devkit.broker import LocalKafka, ScramTls, free_port_block
from streams.devkit.local import settings_env

from .certs import make_tls
from .harness import Figures, OutputReader, alive_check, corpus, create_topics, run_settings, send, tail, worker

ARTICLES = 40
FAIL_FAST_BOUND = 30.0  # seconds for a worker with bad credentials to exit with its reason


def _listening(port: int) -> set[str]:
    """Local addresses with a socket LISTENing on ``port`` (from /proc/net/tcp and tcp6)."""
    import ipaddress

    found = set()
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(name).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            addr, hexport = fields[1].rsplit(":", 1)
            if int(hexport, 16) != port or fields[3] != "0A":
                continue
            raw = bytes.fromhex(addr)
            if len(raw) == 4:
                found.add(str(ipaddress.IPv4Address(raw[::-1])))
            else:
                words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
                found.add(str(ipaddress.IPv6Address(words)))
    return found


def _worker_cli(settings, tmp_path, *extra: str, timeout: float = 60) -> tuple[int, str, float]:
    env = {**os.environ, **settings_env(settings)}
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "streams.cli", "worker", "--loglevel=debug", *extra], env=env,
                          capture_output=True, text=True, timeout=timeout, cwd=tmp_path)
    return proc.returncode, proc.stdout + proc.stderr, time.monotonic() - started


def test_sasl_scram_over_tls(shared_data, tmp_path):
    tls = make_tls(tmp_path / "tls")
    news_password, admin_password = secrets.token_hex(16), secrets.token_hex(16)
    security = ScramTls(keystore=tls.keystore, truststore=tls.truststore, ca_file=tls.ca_pem,
                        users={"admin": admin_password, "news": news_password},
                        keystore_password=tls.password, truststore_password=tls.password)
    records = corpus(shared_data, ARTICLES)
    expected = {k.decode() for k, _ in records}
    with LocalKafka(data_dir=tmp_path / "kafka", port=free_port_block(), security=security) as kafka:
        server_config = (tmp_path / "kafka" / "node-1" / "server.properties").read_text()
        assert "listeners=SASL_SSL://" in server_config and "PLAINTEXT://" not in server_config.split("CONTROLLER")[0]
        settings = run_settings(kafka.bootstrap_servers, tmp_path, kafka_security_protocol="SASL_SSL",
                                kafka_sasl_mechanism="SCRAM-SHA-512", kafka_sasl_username="news",
                                kafka_sasl_password=news_password, kafka_ssl_cafile=str(tls.ca_pem))
        create_topics(settings)

        # Refusals: each worker exits at once, saying why, without the password it was given.
        wrong_password = "Wrong-" + secrets.token_hex(8)
        refusals = {
            "wrong password": (replace(settings, kafka_sasl_password=wrong_password), "rejected the credentials"),
            "unknown user": (replace(settings, kafka_sasl_username="mallory"), "rejected the credentials"),
            "untrusted CA": (replace(settings, kafka_ssl_cafile=str(tls.other_ca_pem)), "certificate is not trusted"),
            "plaintext client": (replace(settings, kafka_security_protocol="PLAINTEXT"), "expects another protocol"),
        }
        seconds = {}
        for name, (bad, phrase) in refusals.items():
            code, output, elapsed = _worker_cli(bad, tmp_path)
            seconds[name] = elapsed
            assert code != 0, f"{name}: the worker started:\n{output[-2000:]}"
            assert phrase in output, f"{name}: no clear reason in:\n{output[-2000:]}"
            assert elapsed < FAIL_FAST_BOUND, f"{name}: took {elapsed:.0f}s to fail"
            for secret in (wrong_password, news_password, admin_password, tls.password):
                assert secret not in output, f"{name}: a secret appears in the worker's output"

        # The pipeline over SASL_SSL.
        with OutputReader(settings) as out:
            w = worker(settings, tmp_path, "worker").start()
            try:
                send(settings, records)
                out.wait("every article over SASL_SSL", lambda r: len(out.accounted(expected)) == ARTICLES,
                         timeout=180, alive=alive_check(w))
                metrics = urllib.request.urlopen(w.metrics_url, timeout=10).read().decode()
                health = urllib.request.urlopen(w.metrics_url.replace("/metrics", "/healthz"), timeout=10).read()
                bound = _listening(w.settings.web_port)
                outputs = out.snapshot()
            finally:
                code = w.stop()
        shown = subprocess.run([sys.executable, "-m", "streams.cli", "settings"], capture_output=True, text=True,
                               env={**os.environ, **settings_env(settings)}, timeout=60)
    log = w.log_path.read_text(errors="replace")
    figures = Figures.of("security (SASL/SCRAM-SHA-512 over TLS)", expected, outputs, **{
        f"fails in s ({name})": s for name, s in seconds.items()})
    figures.show()
    assert figures.lost == 0 and figures.enriched + figures.dead_lettered == ARTICLES
    assert "Authenticated as news via SCRAM-SHA-512" in log  # aiokafka's line: SASL really was used
    assert code == 0, f"worker exit code {code}\n{tail(w.log_path)}"
    # Secrets never appear: not in the worker's log, the metrics, /healthz or `news-streams settings`.
    for secret in (news_password, admin_password, tls.password):
        assert secret not in log
        assert secret not in metrics
        assert secret.encode() not in health
        assert secret not in shown.stdout + shown.stderr
    assert shown.returncode == 0 and "***" in shown.stdout
    # The web endpoint listens only where NEWS_WEB_HOST says (127.0.0.1 here).
    assert bound == {"127.0.0.1"}, bound


@pytest.mark.parametrize("protocol", ["SASL_SSL", "SASL_PLAINTEXT"])
def test_sasl_settings_need_credentials(protocol):
    from streams.settings import Settings

    with pytest.raises(ValueError, match="KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD"):
        Settings(kafka_security_protocol=protocol)
    with pytest.raises(ValueError, match="KAFKA_SASL_MECHANISM"):
        Settings(kafka_security_protocol=protocol, kafka_sasl_username="u", kafka_sasl_password="p",
                 kafka_sasl_mechanism="SCRAM-SHA-1")
    assert "p-secret-value" not in repr(Settings(kafka_security_protocol=protocol, kafka_sasl_username="u",
                                    kafka_sasl_password="p-secret-value"))
