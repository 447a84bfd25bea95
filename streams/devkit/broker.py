"""A real Apache Kafka (KRaft) on this machine, from the jars Maven resolves.

``deploy/kafka/pom.xml`` names the Kafka release; Maven fetches it and its dependencies into
``~/.m2`` once, and the classpath is cached beside the data. :class:`LocalKafka` formats the
storage of 1 or 3 combined broker+controller nodes on loopback, starts them, waits until every
broker is registered, and stops them with SIGTERM (Kafka's clean shutdown). This module is the
only place that knows which broker runs locally.

Optional: :class:`ScramTls` turns the client (and inter-broker) listener into SASL_SSL with
SCRAM-SHA-512 users created at format time; ``extra_config`` overrides any server property and
``format_args`` adds arguments to the storage format. Fault tests use :meth:`LocalKafka.kill`,
:meth:`LocalKafka.restart` and :meth:`LocalKafka.active_controller`.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def kafka_dir() -> Path:
    return Path(os.environ.get("NEWS_KAFKA_DEPLOY_DIR", PROJECT_ROOT / "deploy" / "kafka"))


class BrokerError(RuntimeError):
    """The local broker could not be resolved, formatted or started (the message says why)."""


def kafka_classpath(cache_dir: Path | None = None) -> str:
    """Resolve Kafka's runtime classpath with Maven, cached by the pom's hash."""
    pom = kafka_dir() / "pom.xml"
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()[:16]
    cache_dir = cache_dir or Path(os.environ.get("NEWS_CACHE_DIR", Path.home() / ".cache" / "news-streams"))
    cache = cache_dir / f"kafka-classpath-{digest}.txt"
    if cache.exists():
        cp = cache.read_text().strip()
        if cp and all(Path(p).exists() for p in cp.split(os.pathsep)):
            return cp
    mvn = shutil.which("mvn")
    if mvn is None:
        raise BrokerError("Maven (mvn) is not on PATH; it resolves Kafka's jars from Maven Central")
    cache_dir.mkdir(parents=True, exist_ok=True)
    log.info("resolving Kafka jars with Maven (first run downloads them into ~/.m2)")
    proc = subprocess.run(
        [mvn, "-q", "-B", "-f", str(pom), "dependency:build-classpath", f"-Dmdep.outputFile={cache}"],
        capture_output=True, text=True,
    )
    if proc.returncode != 0 or not cache.exists():
        raise BrokerError(f"mvn could not resolve Kafka's jars:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return cache.read_text().strip()


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def free_port_block(nodes: int = 1, host: str = "127.0.0.1") -> int:
    """A base port whose client ports (base..base+n-1) and controller ports (+1000) are all free."""
    import random

    rng = random.Random()
    for _ in range(200):
        base = rng.randrange(20000, 28000, 10)
        ports = [base + i for i in range(nodes)] + [base + 1000 + i for i in range(nodes)]
        if not any(port_open(host, p) for p in ports):
            return base
    raise BrokerError("no free block of ports found between 20000 and 29000")


def port_open(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


@dataclass
class Node:
    node_id: int
    port: int
    controller_port: int
    directory: Path
    process: subprocess.Popen | None = None

    @property
    def config(self) -> Path:
        return self.directory / "server.properties"

    @property
    def log_file(self) -> Path:
        return self.directory / "kafka.log"


@dataclass(frozen=True)
class ScramTls:
    """SASL/SCRAM over TLS on the client and inter-broker listener (the controller listener stays
    on loopback in plaintext: KRaft keeps SCRAM credentials in the metadata it serves).

    ``keystore`` holds the broker's key and certificate (PKCS12 by default, as ``keytool`` makes
    it); ``truststore`` the CA that signed it; ``ca_file`` the same CA as PEM for Python clients.
    ``users`` (name -> password) are created when the storage is formatted; ``inter_broker_user``
    is one of them, used between brokers and for the readiness check.
    """

    keystore: Path
    truststore: Path
    ca_file: Path
    users: Mapping[str, str] = field(repr=False)
    keystore_password: str = field(default="", repr=False)
    truststore_password: str = field(default="", repr=False)
    keystore_type: str = "PKCS12"
    truststore_type: str = "PKCS12"
    inter_broker_user: str = "admin"
    mechanism: str = "SCRAM-SHA-512"

    def server_config(self) -> dict[str, str]:
        listener = "sasl_ssl"
        password = self.users[self.inter_broker_user]
        config = {
            "inter.broker.listener.name": "SASL_SSL",
            "listener.security.protocol.map": "SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT",
            "sasl.enabled.mechanisms": self.mechanism,
            "sasl.mechanism.inter.broker.protocol": self.mechanism,
            f"listener.name.{listener}.{self.mechanism.lower()}.sasl.jaas.config":
                "org.apache.kafka.common.security.scram.ScramLoginModule required "
                f'username="{_jaas_escape(self.inter_broker_user)}" password="{_jaas_escape(password)}";',
            "ssl.keystore.type": self.keystore_type,
            "ssl.keystore.location": str(self.keystore),
            "ssl.truststore.type": self.truststore_type,
            "ssl.truststore.location": str(self.truststore),
            "ssl.client.auth": "none",
        }
        if self.keystore_password:
            config["ssl.keystore.password"] = self.keystore_password
            config["ssl.key.password"] = self.keystore_password
        if self.truststore_password:
            config["ssl.truststore.password"] = self.truststore_password
        return config

    def format_args(self) -> list[str]:
        return [arg for name, password in self.users.items()
                for arg in ("--add-scram", f"{self.mechanism}=[name={name},password={password}]")]

    def client_options(self) -> dict[str, Any]:
        """aiokafka keyword arguments for the inter-broker user (readiness checks, admin)."""
        import ssl

        return {
            "security_protocol": "SASL_SSL",
            "ssl_context": ssl.create_default_context(cafile=str(self.ca_file)),
            "sasl_mechanism": self.mechanism,
            "sasl_plain_username": self.inter_broker_user,
            "sasl_plain_password": self.users[self.inter_broker_user],
        }


@dataclass
class LocalKafka:
    """One or three KRaft nodes (combined broker+controller) on loopback."""

    data_dir: Path
    port: int = 9092
    nodes: int = 1
    host: str = "127.0.0.1"
    heap: str = "-Xms256m -Xmx768m"
    #: SASL/SCRAM over TLS instead of PLAINTEXT on the client port.
    security: ScramTls | None = None
    #: Server properties that override (or extend) the template's, for every node.
    extra_config: Mapping[str, str] = field(default_factory=dict)
    #: Extra arguments for ``kafka.tools.StorageTool format`` (e.g. ``--add-scram ...``).
    format_args: tuple[str, ...] = ()
    _nodes: list[Node] = field(default_factory=list, init=False)
    _classpath: str = field(default="", init=False)

    @property
    def bootstrap_servers(self) -> str:
        return ",".join(f"{self.host}:{n.port}" for n in self._nodes) or f"{self.host}:{self.port}"

    @property
    def security_protocol(self) -> str:
        return "SASL_SSL" if self.security is not None else "PLAINTEXT"

    def client_options(self) -> dict[str, Any]:
        """aiokafka keyword arguments that reach this cluster (as the admin user when secured)."""
        opts: dict[str, Any] = {"bootstrap_servers": self.bootstrap_servers.split(",")}
        if self.security is not None:
            opts.update(self.security.client_options())
        return opts

    def prepare(self) -> None:
        """Resolve jars, write configs and format storage (kept: a restart reuses the data)."""
        if self.nodes < 1:
            raise BrokerError("--nodes must be at least 1")
        self._classpath = kafka_classpath()
        self.data_dir = Path(self.data_dir).resolve()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        cport = self.port + 1000
        self._nodes = [
            Node(i + 1, self.port + i, cport + i, self.data_dir / f"node-{i + 1}") for i in range(self.nodes)
        ]
        for node in self._nodes:
            for p in (node.port, node.controller_port):
                if port_open(self.host, p):
                    raise BrokerError(f"port {self.host}:{p} is already in use; pick another with --port")
        voters = ",".join(f"{n.node_id}@{self.host}:{n.controller_port}" for n in self._nodes)
        replication = min(3, self.nodes)
        template = (kafka_dir() / "server.properties").read_text()
        cluster_file = self.data_dir / "cluster.id"
        if not cluster_file.exists():
            cluster_file.write_text(_cluster_id())
        cluster_id = cluster_file.read_text().strip()
        format_args = list(self.format_args)
        if self.security is not None:
            format_args += self.security.format_args()
        for node in self._nodes:
            node.directory.mkdir(parents=True, exist_ok=True)
            text = template.format(
                node_id=node.node_id, quorum_voters=voters, host=self.host, port=node.port,
                controller_port=node.controller_port, log_dir=node.directory / "log",
                partitions=4, replication=replication, min_isr=max(1, replication - 1),
            )
            overrides: dict[str, str] = {}
            if self.security is not None:
                overrides.update(self.security.server_config())
                overrides["listeners"] = f"SASL_SSL://{self.host}:{node.port},CONTROLLER://{self.host}:{node.controller_port}"
                overrides["advertised.listeners"] = f"SASL_SSL://{self.host}:{node.port}"
            overrides.update(self.extra_config)
            node.config.write_text(_override_properties(text, overrides))
            os.chmod(node.config, 0o600)  # may hold the inter-broker password
            if not (node.directory / "log" / "meta.properties").exists():
                self._java("kafka.tools.StorageTool", "format", f"--cluster-id={cluster_id}", "-c", str(node.config),
                           "--ignore-formatted", *format_args, check=True)

    def start(self) -> None:
        for node in self._nodes:
            out = open(node.log_file, "ab")
            node.process = subprocess.Popen(
                self._cmd("kafka.Kafka", str(node.config)), stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            out.close()
        log.info("started %d Kafka node(s); logs in %s", len(self._nodes), self.data_dir)

    def wait_ready(self, timeout: float = 90.0) -> None:
        """Block until every broker answers metadata requests and is registered."""
        deadline = time.monotonic() + timeout
        last_error = "no answer yet"
        while time.monotonic() < deadline:
            for node in self._nodes:
                if node.process is not None and node.process.poll() is not None:
                    raise BrokerError(
                        f"Kafka node {node.node_id} exited with {node.process.returncode}; "
                        f"last log lines:\n{tail_log(node.log_file)}"
                    )
            try:
                brokers = asyncio.run(_registered_brokers(self.client_options()))
                if brokers >= len(self._nodes):
                    return
                last_error = f"{brokers}/{len(self._nodes)} brokers registered"
            except Exception as exc:  # not up yet
                last_error = f"{type(exc).__name__}: {exc}"
            time.sleep(0.5)
        raise BrokerError(f"Kafka not ready after {timeout:.0f}s ({last_error}); logs in {self.data_dir}")

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM every node (Kafka's controlled shutdown), then SIGKILL stragglers."""
        for node in self._nodes:
            if node.process is not None and node.process.poll() is None:
                node.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for node in self._nodes:
            if node.process is None:
                continue
            try:
                node.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("Kafka node %d did not stop in %.0fs; killing it", node.node_id, timeout)
                node.process.kill()
                node.process.wait()

    def kill(self, node_id: int, sig: int = signal.SIGKILL) -> None:
        """Signal one node (fault tests)."""
        node = self._nodes[node_id - 1]
        if node.process is not None:
            node.process.send_signal(sig)
            node.process.wait()

    def restart(self, node_id: int) -> None:
        node = self._nodes[node_id - 1]
        out = open(node.log_file, "ab")
        node.process = subprocess.Popen(self._cmd("kafka.Kafka", str(node.config)), stdout=out,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        out.close()

    def running(self) -> list[int]:
        return [n.node_id for n in self._nodes if n.process is not None and n.process.poll() is None]

    def active_controller(self) -> int | None:
        """The node id of the KRaft quorum leader (the active controller), as the running nodes
        recorded it last (``__cluster_metadata-0/quorum-state``, highest leader epoch wins)."""
        best: tuple[int, int] | None = None
        for node in self._nodes:
            if node.node_id not in self.running():
                continue
            state = node.directory / "log" / "__cluster_metadata-0" / "quorum-state"
            try:
                data = json.loads(state.read_text())
            except (OSError, ValueError):
                continue
            leader, epoch = data.get("leaderId", -1), data.get("leaderEpoch", -1)
            if leader is not None and leader >= 0 and (best is None or epoch > best[1]):
                best = (leader, epoch)
        return None if best is None else best[0]

    def __enter__(self) -> "LocalKafka":
        self.prepare()
        self.start()
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _cmd(self, main: str, *args: str) -> list[str]:
        java = shutil.which("java")
        if java is None:
            raise BrokerError("java is not on PATH; Kafka needs Java 17")
        log4j = kafka_dir() / "log4j.properties"
        return [java, *self.heap.split(), "-XX:+UseG1GC", "-Djava.awt.headless=true",
                f"-Dlog4j.configuration=file:{log4j}", "-cp", self._classpath, main, *args]

    def _java(self, main: str, *args: str, check: bool) -> subprocess.CompletedProcess:
        proc = subprocess.run(self._cmd(main, *args), capture_output=True, text=True)
        if check and proc.returncode != 0:
            shown = " ".join(_mask_secrets(a) for a in args)
            raise BrokerError(f"{main} {shown} failed:\n{_mask_secrets(proc.stdout[-2000:])}\n"
                              f"{_mask_secrets(proc.stderr[-2000:])}")
        return proc


def _override_properties(text: str, overrides: Mapping[str, str]) -> str:
    """``text`` (a .properties file) with each key of ``overrides`` set: replaced where the key
    is already assigned, appended otherwise."""
    if not overrides:
        return text
    lines = text.splitlines()
    done: set[str] = set()
    for i, line in enumerate(lines):
        key = line.split("=", 1)[0].strip()
        if not line.lstrip().startswith("#") and "=" in line and key in overrides:
            lines[i] = f"{key}={overrides[key]}"
            done.add(key)
    extra = [f"{k}={v}" for k, v in overrides.items() if k not in done]
    if extra:
        lines += ["", "# Set by LocalKafka (security / extra_config)", *extra]
    return "\n".join(lines) + "\n"


def _jaas_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


_SECRET = re.compile(r"(password=)(\"[^\"]*\"|[^,\]\s]*)", re.IGNORECASE)


def _mask_secrets(text: str) -> str:
    """Hide ``password=...`` values (SCRAM format arguments, JAAS lines) in messages."""
    return _SECRET.sub(r"\1***", text)


def _cluster_id() -> str:
    import base64

    while True:  # like Kafka's Uuid.randomUuid(): never a leading "-" (it reads as an option)
        cid = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode("ascii").rstrip("=")
        if not cid.startswith("-"):
            return cid


def tail_log(path: Path, lines: int = 30) -> str:
    """The last lines of a log file, for error messages ("(no log)" when there is none)."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


async def _registered_brokers(options: Mapping[str, Any]) -> int:
    from aiokafka.admin import AIOKafkaAdminClient

    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)  # "connect failed" is expected while starting
    try:
        return await _describe(AIOKafkaAdminClient, options)
    finally:
        logging.getLogger("aiokafka").setLevel(logging.NOTSET)


async def _describe(admin_cls, options: Mapping[str, Any]) -> int:
    admin = admin_cls(**options, request_timeout_ms=3000)
    await admin.start()
    try:
        cluster = await admin.describe_cluster()
        return len(cluster.get("brokers", []))
    finally:
        await admin.close()
