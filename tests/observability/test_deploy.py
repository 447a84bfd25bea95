"""docker-compose.yml, Dockerfile, Alertmanager, requirements.lock and the Kubernetes manifests,
checked without an engine or a cluster: Debian's docker-compose resolves the compose file
(``config``), amtool checks Alertmanager's configuration, kubectl (when installed) builds the
kustomization, and the files are read for the properties the deployment depends on."""

from __future__ import annotations

import json
import os
import re
import runpy
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from .conftest import DEPLOY, ROOT, load_yaml_documents, require_tool, run

COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
ENV_EXAMPLE = ROOT / ".env.example"
K8S = DEPLOY / "k8s"
#: Services that run for good (everything but the one-shot topic initialiser).
LONG_RUNNING = {"kafka", "worker", "prometheus", "alertmanager", "grafana"}
#: Host ports compose publishes, by service.
PUBLISHED = {"kafka": 29092, "prometheus": 9090, "alertmanager": 9093, "grafana": 3000}
#: Measured worker memory (issue 16, BENCHMARKS.md): steady resident set and peak under hostile input.
STEADY_MIB, PEAK_MIB = 460, 680


# ---- the settings the code reads ---------------------------------------------------------------

_ENV_READ = re.compile(r"""(?:environ(?:\.get)?\s*[(\[]|_env\(|getenv\()\s*["']([A-Z][A-Z0-9_]+)["']""")
_SETTING_NAME = re.compile(r"""["']((?:NEWS|KAFKA)_[A-Z0-9_]+)["']""")


def setting_variables() -> set[str]:
    """Every environment variable news-streams reads, found in the code and the README.

    ``streams/settings.py`` (any quoted ``NEWS_*``/``KAFKA_*`` name: the settings table), any
    ``os.environ``/``getenv`` read elsewhere in the package, and the README's Configuration table.
    Derived, never listed by hand, so that a new setting is checked the day it is added.
    """
    names = set(_SETTING_NAME.findall((ROOT / "streams" / "settings.py").read_text(encoding="utf-8")))
    for path in (ROOT / "streams").rglob("*.py"):
        names |= set(_ENV_READ.findall(path.read_text(encoding="utf-8")))
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    config = readme[readme.index("## Configuration"):]
    config = config[:config.index("\n## ", 1)]
    names |= set(re.findall(r"`((?:NEWS|KAFKA)_[A-Z0-9_]+)`", config))
    names = {n for n in names if n.startswith(("NEWS_", "KAFKA_"))}
    assert {"KAFKA_BOOTSTRAP_SERVERS", "KAFKA_SASL_MECHANISM", "KAFKA_SSL_CAFILE", "NEWS_MAX_RECORD_BYTES"} <= names
    return names


# ---- docker compose ----------------------------------------------------------------------------


def compose_config(docker_compose: str, tmp_path: Path, env: dict[str, str]) -> dict:
    """``docker-compose config`` resolved with ``env`` as the operator's .env file."""
    env_file = tmp_path / "test.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in env.items()), encoding="utf-8")
    proc = run_env(docker_compose, "--env-file", str(env_file), "-f", str(COMPOSE), "config",
                   env={**os.environ, "NEWS_ENV_FILE": str(env_file)})
    assert proc.returncode == 0, proc.stderr
    (tmp_path / "resolved.yml").write_text(proc.stdout, encoding="utf-8")
    return load_yaml_documents(tmp_path / "resolved.yml")[0]


def run_env(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), cwd=ROOT, capture_output=True, text=True, timeout=60, env=env)


@pytest.fixture
def services(docker_compose, tmp_path) -> dict:
    return compose_config(docker_compose, tmp_path, {"GRAFANA_ADMIN_PASSWORD": "test-only"})["services"]


def test_compose_file_is_valid(docker_compose, tmp_path):
    config = compose_config(docker_compose, tmp_path, {"GRAFANA_ADMIN_PASSWORD": "x"})
    assert set(config["services"]) == LONG_RUNNING | {"topics"}


def test_compose_refuses_to_start_without_a_grafana_password(docker_compose, tmp_path):
    env_file = tmp_path / "empty.env"
    env_file.write_text(ENV_EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")  # as copied, not edited
    proc = run_env(docker_compose, "--env-file", str(env_file), "-f", str(COMPOSE), "config", "-q",
                   env={k: v for k, v in {**os.environ, "NEWS_ENV_FILE": str(env_file)}.items()
                        if k != "GRAFANA_ADMIN_PASSWORD"})
    assert proc.returncode != 0
    assert "GRAFANA_ADMIN_PASSWORD" in proc.stderr


def test_every_setting_reaches_the_worker_and_the_topic_initialiser(docker_compose, tmp_path):
    """Each variable of the code is set in .env to a distinct value; the worker and the topic
    initialiser get that value, except the few the compose file pins as container facts."""
    names = setting_variables()
    sent = {name: f"value-of-{name.lower()}" for name in names}
    config = compose_config(docker_compose, tmp_path, {"GRAFANA_ADMIN_PASSWORD": "x", **sent})
    raw = load_yaml_documents(COMPOSE)[0]
    pinned = {k: str(v) for k, v in raw["x-news-container"].items()}
    assert pinned.keys() <= names and {"KAFKA_BOOTSTRAP_SERVERS", "NEWS_WEB_HOST"} <= pinned.keys()
    for service in ("worker", "topics"):
        env = {k: str(v) for k, v in config["services"][service]["environment"].items()}
        for name in sorted(names):
            expected = pinned.get(name, sent[name])
            assert env.get(name) == expected, f"{name} does not reach {service}: {env.get(name)!r}"
    assert pinned["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092" and pinned["NEWS_WEB_HOST"] == "0.0.0.0"


def test_env_example_documents_every_setting():
    text = ENV_EXAMPLE.read_text(encoding="utf-8")
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, flags=re.M))
    missing = sorted(setting_variables() - documented)
    assert not missing, f".env.example does not document {missing}"
    # Copied as is, it sets nothing but the (empty, required) Grafana password.
    active = re.findall(r"^([A-Z][A-Z0-9_]+)=(.*)$", text, flags=re.M)
    assert active == [("GRAFANA_ADMIN_PASSWORD", "")]
    # The compose file's own variables are documented too.
    used = set(re.findall(r"\$\{([A-Z][A-Z0-9_]+)", COMPOSE.read_text(encoding="utf-8")))
    assert used - documented == set(), used - documented
    # .env holds secrets: never committed, never in the image's build context.
    assert ".env" in (ROOT / ".gitignore").read_text().split()
    assert ".env" in (ROOT / ".dockerignore").read_text().split()


def test_published_ports_are_loopback_by_default(docker_compose, tmp_path, services):
    for name, svc in services.items():
        for port in svc.get("ports", ()):
            spec = port if isinstance(port, str) else f"{port.get('host_ip', '')}:{port['published']}:{port['target']}"
            assert spec.startswith("127.0.0.1:"), f"{name} publishes {spec} on every interface"
    published = {name: int(str(svc["ports"][0]).split(":")[1]) for name, svc in services.items() if svc.get("ports")}
    assert published == PUBLISHED
    # An operator can open them on purpose.
    opened = compose_config(docker_compose, tmp_path, {"GRAFANA_ADMIN_PASSWORD": "x", "PUBLISH_HOST": "0.0.0.0"})
    assert str(opened["services"]["grafana"]["ports"][0]).startswith("0.0.0.0:3000:")


def test_compose_services(services):
    # Kafka: the official image, the version the local broker uses (deploy/kafka/pom.xml), KRaft.
    kafka_version = re.search(r"<kafka.version>([^<]+)</kafka.version>", (DEPLOY / "kafka" / "pom.xml").read_text())[1]
    kafka = services["kafka"]
    assert kafka["image"] == f"apache/kafka:{kafka_version}"
    assert kafka["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"

    topics = services["topics"]
    assert topics["command"] == ["topics", "create"]
    assert topics["depends_on"]["kafka"]["condition"] == "service_healthy"

    worker = services["worker"]
    assert worker["deploy"]["replicas"] == 2
    assert worker["depends_on"]["topics"]["condition"] == "service_completed_successfully"
    env = worker["environment"]
    assert env["NEWS_WEB_HOST"] == "0.0.0.0" and str(env["NEWS_WEB_PORT"]) == "6066"
    assert "ports" not in worker  # replicas cannot share a host port; Prometheus reaches them inside
    assert worker["build"]["context"] == str(ROOT)
    memory = worker["deploy"]["resources"]
    assert _mib(memory["reservations"]["memory"]) >= PEAK_MIB and _mib(memory["limits"]["memory"]) > PEAK_MIB

    # Prometheus, Alertmanager and Grafana mount the shipped files, which exist.
    binds = {}
    for name in ("prometheus", "alertmanager", "grafana"):
        for volume in services[name]["volumes"]:
            source, target = volume.split(":")[:2]
            if source.startswith("/"):
                binds[target] = Path(source)
    assert binds["/etc/prometheus"] == DEPLOY / "prometheus"
    assert binds["/etc/alertmanager"] == DEPLOY / "alertmanager"
    assert (binds["/etc/grafana/dashboards"] / "news-streams.json").exists()
    assert (binds["/etc/grafana/provisioning"] / "datasources" / "prometheus.yml").exists()
    provider = (binds["/etc/grafana/provisioning"] / "dashboards" / "news-streams.yml").read_text()
    assert "path: /etc/grafana/dashboards" in provider
    prometheus_yml = load_yaml_documents(DEPLOY / "prometheus" / "prometheus.yml")[0]
    jobs = {job["job_name"]: job for job in prometheus_yml["scrape_configs"]}
    assert jobs["news-streams"]["dns_sd_configs"][0] == {"names": ["worker"], "type": "A", "port": 6066,
                                                         "refresh_interval": "15s"}  # every replica, by DNS
    targets = [t for am in prometheus_yml["alerting"]["alertmanagers"] for sc in am["static_configs"] for t in sc["targets"]]
    assert targets == ["alertmanager:9093"]

    # No lifecycle API (reload/quit over HTTP); Grafana: password from .env, no anonymous access.
    assert not any("enable-lifecycle" in arg for arg in services["prometheus"]["command"])
    grafana = services["grafana"]["environment"]
    assert grafana["GF_SECURITY_ADMIN_PASSWORD"] == "test-only"
    assert grafana["GF_AUTH_ANONYMOUS_ENABLED"] == "false" and grafana["GF_USERS_ALLOW_SIGN_UP"] == "false"


def test_compose_health_checks(services):
    for name in LONG_RUNNING:
        check = services[name].get("healthcheck")
        assert check and not check.get("disable") and check["test"][0] in {"CMD", "CMD-SHELL"}, name
    # One-shot: its exit code is the check (compose 1.29 resolves `disable: true` to test NONE).
    assert services["topics"]["healthcheck"] in ({"disable": True}, {"test": ["NONE"]})
    assert "/readyz" in " ".join(services["worker"]["healthcheck"]["test"])
    assert "/-/ready" in " ".join(services["prometheus"]["healthcheck"]["test"])
    assert "/-/ready" in " ".join(services["alertmanager"]["healthcheck"]["test"])
    assert "/api/health" in " ".join(services["grafana"]["healthcheck"]["test"])
    assert services["grafana"]["depends_on"]["prometheus"]["condition"] == "service_healthy"


def _mib(value) -> float:
    text = str(value)
    number, unit = re.fullmatch(r"([\d.]+)\s*([A-Za-z]*)", text).groups()
    factor = {"": 1 / 2**20, "M": 1e6 / 2**20, "m": 1e6 / 2**20, "Mi": 1, "G": 1e9 / 2**20, "g": 1e9 / 2**20,
              "Gi": 1024, "MB": 1e6 / 2**20, "GB": 1e9 / 2**20}[unit]
    return float(number) * factor


# ---- Alertmanager ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def amtool() -> str:
    return require_tool("amtool")


def test_alertmanager_config_routes_every_severity(amtool):
    config = DEPLOY / "alertmanager" / "alertmanager.yml"
    proc = run(amtool, "check-config", str(config))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rules = (DEPLOY / "prometheus" / "rules" / "news-streams.rules.yml").read_text()
    severities = set(re.findall(r"severity: (\w+)", rules))
    assert severities == {"critical", "warning", "info"}
    expected = {"critical": "pager", "warning": "operator", "info": "operator"}
    for severity in severities:
        routed = run(amtool, "config", "routes", "test", f"--config.file={config}", f"severity={severity}",
                     "alertname=NewsWorkerDown")
        assert routed.returncode == 0, routed.stderr
        assert routed.stdout.split() == [expected[severity]], (severity, routed.stdout)


# ---- the image ---------------------------------------------------------------------------------


def test_dockerfile():
    text = DOCKERFILE.read_text()
    froms = re.findall(r"^FROM (\S+)", text, flags=re.M)
    assert froms and all(f.startswith("${PYTHON_IMAGE}") for f in froms)
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim", text, flags=re.M)
    assert re.search(r"^USER (?!0\b|root\b)\S+", text, flags=re.M), "must not run as root"
    assert "-r /tmp/requirements.lock" in text and "--no-deps" in text
    assert "COPY schemas /app/schemas" in text and "NEWS_SCHEMA_DIR=/app/schemas/v1" in text
    assert (ROOT / "schemas" / "v1" / "raw.schema.json").exists()
    assert "NEWS_WEB_HOST=0.0.0.0" in text
    assert re.search(r"^HEALTHCHECK .*\n?.*/readyz", text, flags=re.M), "the image is healthy when ready"
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".venv" in ignored and ".git" in ignored


def _dockerignored(path: str) -> bool:
    """Docker's .dockerignore rule for one path: the last matching pattern wins, ``!`` re-includes;
    a pattern matching a parent folder excludes what is inside it."""
    from fnmatch import fnmatch

    parts = path.split("/")
    excluded = False
    for raw in (ROOT / ".dockerignore").read_text().splitlines():
        pattern = raw.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negate = pattern.startswith("!")
        pattern = pattern.lstrip("!").rstrip("/").removeprefix("**/")
        if any(fnmatch("/".join(parts[:i]), pattern) or fnmatch(parts[i - 1], pattern)
               for i in range(1, len(parts) + 1)):
            excluded = not negate
    return excluded


def test_docker_build_gets_everything_the_build_reads():
    """No engine here, so the build stage is checked against the build's inputs: every file the
    wheel build reads is copied into /src by the Dockerfile and not kept out by .dockerignore."""
    text = DOCKERFILE.read_text()
    build_stage = text[:[m.start() for m in re.finditer(r"^FROM ", text, flags=re.M)][1]]
    copied: list[str] = []
    for line in re.findall(r"^COPY (?!--from)(.+)$", build_stage, flags=re.M):
        *sources, dest = line.split()
        if dest.startswith("/src"):
            copied += sources
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    needed = ["pyproject.toml", project["readme"], "streams/__init__.py", *project.get("license-files", [])]
    if isinstance(project.get("license"), dict) and "file" in project["license"]:
        needed.append(project["license"]["file"])
    for extra in ("setup.py", "MANIFEST.in"):
        if (ROOT / extra).exists():
            needed.append(extra)
    if (ROOT / "setup.py").exists():  # folders a build hook bundles into the wheel
        for folder in re.findall(r'^\s*"([\w./-]+)":\s*\(', (ROOT / "setup.py").read_text(), flags=re.M):
            needed += [str(f.relative_to(ROOT)) for f in sorted((ROOT / folder).iterdir()) if f.is_file()]
    from fnmatch import fnmatch

    for path in needed:
        assert (ROOT / path).exists(), path
        assert any(fnmatch(path, src) or path.startswith(src.rstrip("/") + "/") for src in copied), \
            f"the Dockerfile's build stage does not copy {path} (copies: {copied})"
        assert not _dockerignored(path), f".dockerignore keeps {path} out of the build context"
    for secret in (".env", "deploy/prometheus/prometheus.yml", ".git/config"):
        assert _dockerignored(secret), secret


def test_requirements_lock_pins_exactly_the_runtime_dependencies():
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"not pinned exactly: {line}"
            pins[canonicalize_name(name)] = version
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for spec in project["dependencies"]:
        req = Requirement(spec)
        assert canonicalize_name(req.name) in pins, f"{req.name} missing from requirements.lock"
        assert req.specifier.contains(pins[canonicalize_name(req.name)]), (spec, pins[canonicalize_name(req.name)])
    for tool in ("pytest", "hypothesis", "jsonschema", "seqeval", "pytest-asyncio", "scikit-learn"):
        assert tool not in pins, f"test tool {tool} in the runtime lock"
    # What is installed here agrees with the lock (the lock was taken from this environment).
    from importlib.metadata import version

    for name, pinned in pins.items():
        assert version(name) == pinned, (name, version(name), pinned)


# ---- Kubernetes --------------------------------------------------------------------------------


def _k8s() -> dict[str, dict]:
    kustomization = load_yaml_documents(K8S / "kustomization.yaml")[0]
    docs = {}
    for resource in kustomization["resources"]:
        path = K8S / resource
        assert path.is_file(), f"kustomization lists a missing file: {resource}"
        for doc in load_yaml_documents(path):
            if doc and "kind" in doc:
                docs[doc["kind"] if doc["kind"] != "ConfigMap" else doc["metadata"]["name"]] = doc
    for doc in load_yaml_documents(K8S / "secret.example.yaml"):
        docs[doc["kind"]] = doc
    return docs


def test_kubernetes_manifests():
    docs = _k8s()
    assert {"Deployment", "Service", "news-streams-config", "news-streams-dashboard", "PodDisruptionBudget",
            "PodMonitor", "PrometheusRule", "Secret"} <= docs.keys()
    config = docs["news-streams-config"]
    deployment = docs["Deployment"]
    pod = deployment["spec"]["template"]
    labels = pod["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    container = pod["spec"]["containers"][0]
    env = {e["name"]: e for e in container["env"]}
    assert env["NEWS_WEB_HOST"]["value"] == "0.0.0.0"
    assert env["KAFKA_SASL_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == docs["Secret"]["metadata"]["name"]
    assert container["envFrom"][0]["configMapRef"]["name"] == config["metadata"]["name"]
    assert "KAFKA_SASL_PASSWORD" not in config["data"]
    port = container["ports"][0]
    assert port["containerPort"] == int(env["NEWS_WEB_PORT"]["value"]) == 6066

    # Liveness never depends on Kafka (a broker outage must not restart every worker); readiness does.
    probes = {p: container[p]["httpGet"] for p in ("startupProbe", "readinessProbe", "livenessProbe")}
    assert {p: g["path"] for p, g in probes.items()} == {
        "startupProbe": "/healthz", "readinessProbe": "/readyz", "livenessProbe": "/healthz"}
    assert all(g["port"] == port["name"] for g in probes.values())
    startup = container["startupProbe"]
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 60  # model load + first rebalance

    # Memory from the measured figures: the request covers the peak, the limit leaves headroom.
    resources = container["resources"]
    request, limit = _mib(resources["requests"]["memory"]), _mib(resources["limits"]["memory"])
    assert PEAK_MIB <= request < limit and limit >= 1.3 * PEAK_MIB
    assert str(STEADY_MIB) in (K8S / "deployment.yaml").read_text()  # the comment says where it comes from

    assert pod["spec"]["securityContext"]["runAsNonRoot"] is True
    annotations = pod["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true" and annotations["prometheus.io/port"] == "6066"
    assert annotations["prometheus.io/path"] == "/metrics"
    for kind in ("Service", "PodDisruptionBudget", "PodMonitor"):
        spec = docs[kind]["spec"]
        selector = spec["selector"].get("matchLabels", spec["selector"])
        assert selector.items() <= labels.items(), kind
    assert docs["Service"]["spec"]["ports"][0]["targetPort"] == port["name"]
    assert docs["PodMonitor"]["spec"]["podMetricsEndpoints"][0]["port"] == port["name"]
    assert labels[docs["PodMonitor"]["spec"]["jobLabel"]] == "news-streams"  # job="news-streams", as the rules expect
    # kube-prometheus-stack selects PodMonitors and PrometheusRules by its release label.
    for kind in ("PodMonitor", "PrometheusRule"):
        assert docs[kind]["metadata"]["labels"]["release"] == "kube-prometheus-stack", kind
    assert docs["news-streams-dashboard"]["metadata"]["labels"]["grafana_dashboard"] == "1"
    # Every variable the ConfigMap sets is one the worker reads.
    assert set(config["data"]) <= setting_variables()
    json.dumps(docs)  # plain data, no YAML-only types


def test_kubernetes_monitoring_is_generated_from_the_compose_files():
    """The PrometheusRule and the dashboard ConfigMap are copies of the files compose uses and
    promtool tests: regenerated, they are unchanged, and they hold the same data."""
    generate = runpy.run_path(str(K8S / "generate.py"))
    for path, text in generate["outputs"]().items():
        assert path.read_text(encoding="utf-8") == text, f"{path} is stale: run python deploy/k8s/generate.py"
    assert generate["main"](["--check"]) == 0
    docs = _k8s()
    rules = load_yaml_documents(DEPLOY / "prometheus" / "rules" / "news-streams.rules.yml")[0]
    assert docs["PrometheusRule"]["spec"] == rules
    dashboard = json.loads((DEPLOY / "grafana" / "dashboards" / "news-streams.json").read_text(encoding="utf-8"))
    assert json.loads(docs["news-streams-dashboard"]["data"]["news-streams.json"]) == dashboard


def test_kustomize_builds():
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl not installed: the kustomization is only checked statically (test_kubernetes_manifests)")
    proc = run(kubectl, "kustomize", str(K8S))
    assert proc.returncode == 0, proc.stderr
    kinds = re.findall(r"^kind: (\w+)", proc.stdout, flags=re.M)
    assert sorted(kinds) == sorted(["Namespace", "ConfigMap", "ConfigMap", "Service", "Deployment",
                                    "PodDisruptionBudget", "PodMonitor", "PrometheusRule"])
    assert "image: registry.example.org/news-streams:0.1.0" in proc.stdout


# ---- the dashboard -----------------------------------------------------------------------------

DASHBOARD = DEPLOY / "grafana" / "dashboards" / "news-streams.json"


def test_dashboard_panels():
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    panels = {p["title"]: p for p in dashboard["panels"] if p["type"] != "row"}
    # Every query follows the Worker selector.
    for title, panel in panels.items():
        for target in panel["targets"]:
            assert 'instance=~"$instance"' in target["expr"], (title, target["expr"])
    # Counts that have no series before the first event fall back to 0 instead of "No data".
    assert panels["Workers up"]["targets"][0]["expr"].endswith(" or vector(0)")
    commit = panels["Commit latency and back-pressure"]
    assert commit["fieldConfig"]["defaults"]["unit"] == "s"
    buffer_full = next(t for t in commit["targets"] if "buffer_full" in t["expr"])
    assert " or " in buffer_full["expr"] and 'up{job="news-streams"' in buffer_full["expr"]
    override = commit["fieldConfig"]["overrides"][0]
    assert override["matcher"] == {"id": "byFrameRefID", "options": buffer_full["refId"]}
    assert {"id": "unit", "value": "ops"} in override["properties"]
