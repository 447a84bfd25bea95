"""docker-compose.yml, Dockerfile, requirements.lock and the Kubernetes manifests, checked without
an engine or a cluster: Debian's docker-compose validates the compose file (``config``), and the
files are read for the properties the deployment depends on."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

from .conftest import DEPLOY, ROOT, load_yaml_documents, run

COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"


def test_compose_file_is_valid(docker_compose):
    proc = run(docker_compose, "-f", str(COMPOSE), "config", "-q")
    assert proc.returncode == 0, proc.stderr
    services = run(docker_compose, "-f", str(COMPOSE), "config", "--services")
    assert set(services.stdout.split()) == {"kafka", "topics", "worker", "prometheus", "grafana"}


def test_compose_services(docker_compose, tmp_path):
    resolved = run(docker_compose, "-f", str(COMPOSE), "config")
    assert resolved.returncode == 0, resolved.stderr
    (tmp_path / "resolved.yml").write_text(resolved.stdout)
    services = load_yaml_documents(tmp_path / "resolved.yml")[0]["services"]

    # Kafka: the official image, the version the local broker uses (deploy/kafka/pom.xml), KRaft.
    kafka_version = re.search(r"<kafka.version>([^<]+)</kafka.version>", (DEPLOY / "kafka" / "pom.xml").read_text())[1]
    kafka = services["kafka"]
    assert kafka["image"] == f"apache/kafka:{kafka_version}"
    assert kafka["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert "healthcheck" in kafka

    topics = services["topics"]
    assert topics["command"] == ["topics", "create"]
    assert topics["depends_on"]["kafka"]["condition"] == "service_healthy"

    worker = services["worker"]
    assert worker["deploy"]["replicas"] == 2
    assert worker["depends_on"]["topics"]["condition"] == "service_completed_successfully"
    env = worker["environment"]
    assert env["NEWS_WEB_HOST"] == "0.0.0.0" and env["NEWS_WEB_PORT"] == "6066"
    assert env["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"
    assert "ports" not in worker  # replicas cannot share a host port; Prometheus reaches them inside
    assert worker["build"]["context"] == str(ROOT)

    # Prometheus and Grafana mount the shipped files, which exist.
    binds = {}
    for name in ("prometheus", "grafana"):
        for volume in services[name]["volumes"]:
            source, target = volume.split(":")[:2]
            if source.startswith("/"):
                binds[target] = Path(source)
    assert binds["/etc/prometheus"] == DEPLOY / "prometheus"
    assert (binds["/etc/grafana/dashboards"] / "news-streams.json").exists()
    assert (binds["/etc/grafana/provisioning"] / "datasources" / "prometheus.yml").exists()
    provider = (binds["/etc/grafana/provisioning"] / "dashboards" / "news-streams.yml").read_text()
    assert "path: /etc/grafana/dashboards" in provider
    prometheus_yml = (DEPLOY / "prometheus" / "prometheus.yml").read_text()
    assert "names: [worker]" in prometheus_yml and "port: 6066" in prometheus_yml  # every replica, by DNS


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
    assert re.search(r"^HEALTHCHECK .*\n?.*/healthz", text, flags=re.M)
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert ".venv" in ignored and ".git" in ignored


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


def _k8s() -> dict[str, dict]:
    docs = {}
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        for doc in load_yaml_documents(path):
            if doc and "kind" in doc:
                docs[doc["kind"]] = doc
    return docs


def test_kubernetes_manifests():
    docs = _k8s()
    assert {"Deployment", "Service", "ConfigMap", "PodDisruptionBudget", "PodMonitor", "Secret"} <= docs.keys()
    deployment = docs["Deployment"]
    pod = deployment["spec"]["template"]
    labels = pod["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    container = pod["spec"]["containers"][0]
    env = {e["name"]: e for e in container["env"]}
    assert env["NEWS_WEB_HOST"]["value"] == "0.0.0.0"
    assert env["KAFKA_SASL_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == docs["Secret"]["metadata"]["name"]
    assert container["envFrom"][0]["configMapRef"]["name"] == docs["ConfigMap"]["metadata"]["name"]
    assert "KAFKA_SASL_PASSWORD" not in docs["ConfigMap"]["data"]
    port = container["ports"][0]
    assert port["containerPort"] == int(env["NEWS_WEB_PORT"]["value"]) == 6066
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["path"] == "/healthz", probe
        assert container[probe]["httpGet"]["port"] == port["name"], probe
    assert container["resources"]["requests"] and container["resources"]["limits"]
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
    kustomization = load_yaml_documents(DEPLOY / "k8s" / "kustomization.yaml")[0]
    assert all((DEPLOY / "k8s" / r).exists() for r in kustomization["resources"])
    # Every variable the ConfigMap sets is one the worker reads.
    settings_src = (ROOT / "streams" / "settings.py").read_text()
    for key in docs["ConfigMap"]["data"]:
        assert f'"{key}"' in settings_src, key
    json.dumps(docs)  # plain data, no YAML-only types
