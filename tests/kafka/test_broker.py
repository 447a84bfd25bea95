"""The local broker command: readiness, clean stop on SIGTERM, and the 3-node cluster."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from streams.devkit.broker import LocalKafka, free_port, free_port_block

pytestmark = pytest.mark.kafka


def test_broker_command_starts_and_stops_cleanly(tmp_path):
    port = free_port_block()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streams.cli", "broker", "--port", str(port), "--data-dir", str(tmp_path / "k")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 120
        ready = ""
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            if "Kafka ready" in line:
                ready = line
                break
            assert proc.poll() is None, f"broker exited: {proc.stderr.read()}"
        assert f"KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:{port}" in ready
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_three_node_cluster_replicates(tmp_path):
    async def describe(bootstrap: str):
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap.split(","))
        await admin.start()
        try:
            await admin.create_topics([NewTopic("replicated", num_partitions=3, replication_factor=3)])
            cluster = await admin.describe_cluster()
            [topic] = await admin.describe_topics(["replicated"])
            return cluster, topic
        finally:
            await admin.close()

    with LocalKafka(data_dir=tmp_path / "c", port=free_port_block(3), nodes=3) as kafka:
        cluster, topic = asyncio.run(describe(kafka.bootstrap_servers))
    assert len(cluster["brokers"]) == 3
    assert all(len(p["replicas"]) == 3 for p in topic["partitions"])
