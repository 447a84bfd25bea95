"""A real Apache Kafka (KRaft) on this machine, from the jars Maven resolves.

``deploy/kafka/pom.xml`` names the Kafka release; Maven fetches it and its dependencies into
``~/.m2`` once, and the classpath is cached beside the data. :class:`LocalKafka` formats the
storage of 1 or 3 combined broker+controller nodes on loopback, starts them, waits until every
broker is registered, and stops them with SIGTERM (Kafka's clean shutdown). This module is the
only place that knows which broker runs locally.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import shutil
import signal
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

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


@dataclass
class LocalKafka:
    """One or three KRaft nodes (combined broker+controller) on loopback."""

    data_dir: Path
    port: int = 9092
    nodes: int = 1
    host: str = "127.0.0.1"
    heap: str = "-Xms256m -Xmx768m"
    _nodes: list[Node] = field(default_factory=list, init=False)
    _classpath: str = field(default="", init=False)

    @property
    def bootstrap_servers(self) -> str:
        return ",".join(f"{self.host}:{n.port}" for n in self._nodes) or f"{self.host}:{self.port}"

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
        for node in self._nodes:
            node.directory.mkdir(parents=True, exist_ok=True)
            node.config.write_text(template.format(
                node_id=node.node_id, quorum_voters=voters, host=self.host, port=node.port,
                controller_port=node.controller_port, log_dir=node.directory / "log",
                partitions=4, replication=replication, min_isr=max(1, replication - 1),
            ))
            if not (node.directory / "log" / "meta.properties").exists():
                self._java("kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(node.config),
                           "--ignore-formatted", check=True)

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
                        f"last log lines:\n{_tail(node.log_file)}"
                    )
            try:
                brokers = asyncio.run(_registered_brokers(self.bootstrap_servers))
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
            raise BrokerError(f"{main} {' '.join(args)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
        return proc


def _cluster_id() -> str:
    import base64

    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode("ascii").rstrip("=")


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


async def _registered_brokers(bootstrap: str) -> int:
    from aiokafka.admin import AIOKafkaAdminClient

    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)  # "connect failed" is expected while starting
    try:
        return await _describe(AIOKafkaAdminClient, bootstrap)
    finally:
        logging.getLogger("aiokafka").setLevel(logging.NOTSET)


async def _describe(admin_cls, bootstrap: str) -> int:
    admin = admin_cls(bootstrap_servers=bootstrap.split(","), request_timeout_ms=3000)
    await admin.start()
    try:
        cluster = await admin.describe_cluster()
        return len(cluster.get("brokers", []))
    finally:
        await admin.close()
