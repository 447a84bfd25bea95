"""What :mod:`streams.kafka.internals` relies on in Faust and aiokafka: fails loudly when an
upgrade renames, retypes or stops using one of those private pieces (the readiness tests on a
real broker exercise :func:`~streams.kafka.internals.group_state` end to end)."""

from __future__ import annotations

import inspect
import re
from dataclasses import replace
from pathlib import Path

import pytest
from aiokafka.consumer.consumer import AIOKafkaConsumer
from aiokafka.consumer.group_coordinator import GroupCoordinator
from faust.transport.consumer import Consumer
from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread, Producer
from faust.types import TP

import streams
from streams.kafka import internals
from streams.settings import Settings


@pytest.fixture(scope="module")
def app():
    import faust

    from streams.service.app import faust_config

    settings = replace(Settings(), kafka_bootstrap_servers="127.0.0.1:1", app_id="internals-test")
    return faust.App(settings.app_id, **faust_config(settings))


def test_faust_consumer_bookkeeping_has_the_assumed_shape(app):
    consumer = app.consumer
    assert isinstance(consumer, Consumer)
    for name in internals.FAUST_CONSUMER_FIELDS:
        assert hasattr(consumer, name), f"Faust's Consumer no longer has {name}"
    tp = TP("news.raw", 0)
    assert internals.committed_offset(consumer, tp) is None
    # Faust's own bookkeeping after offsets 0..5 were acked, then our commit of offset 4:
    consumer._committed_offset[tp] = 0
    for offset in range(6):
        consumer._acked[tp].append(offset)
        consumer._acked_index[tp].add(offset)
    consumer._gap[tp].addi(2, 3)
    internals.mark_committed(consumer, tp, 4)
    assert internals.committed_offset(consumer, tp) == 4
    assert consumer._acked[tp] == [4, 5] and consumer._acked_index[tp] == {4, 5}
    assert not consumer._gap[tp]
    # ... and Faust's next commit starts from there (its own reading of the same fields).
    assert consumer._new_offset(tp) == 6


def test_faust_commits_through_force_commit():
    """ExactlyOnce replaces ``force_commit``: every periodic/rebalance/stop commit must go through it."""
    assert re.search(r"self\.force_commit\(", inspect.getsource(Consumer.commit))
    assert list(inspect.signature(Consumer.force_commit).parameters)[:3] == ["self", "topics", "start_new_transaction"]


def test_faust_producer_send_takes_positional_bytes_and_a_transactional_id():
    params = list(inspect.signature(Producer.send).parameters)
    assert params[:7] == ["self", "topic", "key", "value", "partition", "timestamp", "headers"]
    assert "transactional_id" in params


def test_transactional_ids_match_fausts(app):
    """ExactlyOnce sends through the producer Faust starts per assigned input partition."""
    manager = type(app.consumer.transactions)
    assert manager.transactional_id_format == "{group_id}-{tpg.group}-{tpg.partition}"
    assert "group_id=self.app.conf.id" in inspect.getsource(manager._tps_to_transactional_ids)
    assert hasattr(app.assignor, "group_for_topic")


def test_recovery_asks_the_consumer_threads_highwaters(app):
    """``read_changelog_ends_from_broker`` replaces the thread's ``_highwaters``: Faust's recovery
    must still reach it through ``Consumer.highwaters`` -> ``thread.highwaters``."""
    from faust.tables.recovery import Recovery

    assert "consumer.highwaters(" in inspect.getsource(Recovery._build_highwaters)
    assert "self._thread.highwaters(" in inspect.getsource(type(app.consumer).highwaters)
    assert "self._highwaters" in inspect.getsource(AIOKafkaConsumerThread.highwaters)
    assert "last_stable_offset" in inspect.getsource(AIOKafkaConsumerThread._highwaters)
    # ... and the end offsets it reads are final only because the assignment starts the partitions'
    # transactional producers (fencing the previous owner's, whose open transaction the broker then
    # completes) before the tables' recovery
    assigned = inspect.getsource(type(app)._on_partitions_assigned)
    assert -1 < assigned.index("transactions.on_rebalance") < assigned.index("tables.on_rebalance")


def test_aiokafka_group_coordinator_fields_used_by_readiness(app):
    assert internals.group_state(app.consumer) == internals.GroupState(False, False, -1, "")
    assert "return self._consumer" in inspect.getsource(AIOKafkaConsumerThread._ensure_consumer)
    assert "self._coordinator" in inspect.getsource(AIOKafkaConsumer.__init__)
    init = inspect.getsource(GroupCoordinator.__init__)
    for name in ("coordinator_id", "generation", "member_id"):
        assert f"self.{name} =" in init, name
    assert "self.coordinator_id = None" in inspect.getsource(GroupCoordinator.coordinator_dead)
    assert hasattr(AIOKafkaConsumer, "partitions_for_topic")


def test_nothing_else_touches_private_faust_or_aiokafka_api():
    pattern = re.compile(r"\.(_committed_offset|_acked|_acked_index|_gap|_coordinator|_client|_thread)\b"
                         r"|\.force_commit\s*=")
    package = Path(streams.__file__).parent
    offenders = [f"{p.relative_to(package)}:{n}" for p in package.rglob("*.py") if p.name != "internals.py"
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert not offenders, offenders
