"""Shared fixtures: the shared data folder and a real Kafka broker.

The broker is the one named by KAFKA_BOOTSTRAP_SERVERS (``.ci/run`` starts one), or else a
single KRaft node this session starts itself on a free port. Never a mock.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

from streams.settings import Settings, shared_data_dir

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def shared_data() -> Path:
    path = shared_data_dir()
    if not path.exists():
        pytest.skip(f"shared data not found at {path} (set NEWS_SHARED_DATA)")
    return path


@pytest.fixture(scope="session")
def seed_article(shared_data: Path) -> bytes:
    return (shared_data / "samples" / "seed-article.json").read_bytes()


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> str:
    external = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if external:
        yield external
        return
    from streams.devkit.broker import LocalKafka, free_port_block

    kafka = LocalKafka(data_dir=tmp_path_factory.mktemp("kafka"), port=free_port_block())
    with kafka:
        yield kafka.bootstrap_servers


@pytest.fixture
def kafka_settings(kafka_bootstrap: str, tmp_path: Path) -> Settings:
    """Settings with a topic prefix and group of their own, so tests never see each other's records."""
    from streams.devkit.broker import free_port

    run = uuid.uuid4().hex[:8]
    settings = replace(
        Settings.from_env(), kafka_bootstrap_servers=kafka_bootstrap, topic_prefix=f"t{run}.",
        app_id=f"news-test-{run}", topic_partitions=4, web_port=free_port(), data_dir=str(tmp_path / "faust"),
        broker_session_timeout=10.0, broker_rebalance_timeout=10.0,
    )
    from streams.kafka.topics import ensure_topics

    asyncio.run(ensure_topics(settings))
    return settings
