"""The worker's cost knobs (issue 15): event loop, producer/consumer settings, frozen long-lived objects."""

from __future__ import annotations

import asyncio
import gc
from dataclasses import replace

import pytest

from streams.cli.startup import ConfigError
from streams.cli.worker import use_event_loop
from streams.service.app import faust_config, freeze_long_lived
from streams.settings import Settings


@pytest.fixture
def restore_policy():
    yield
    asyncio.set_event_loop_policy(None)


def test_uvloop_is_the_default_loop_of_a_worker(restore_policy):
    uvloop = pytest.importorskip("uvloop", reason="uvloop is a dependency on Linux; absent only on Windows")
    assert Settings().event_loop == "uvloop"
    assert use_event_loop(Settings()) == "uvloop"
    loop = asyncio.new_event_loop()
    try:
        assert isinstance(loop, uvloop.Loop)
    finally:
        loop.close()


def test_asyncio_loop_on_request(restore_policy):
    settings = Settings.from_env({"NEWS_EVENT_LOOP": "asyncio"})
    assert use_event_loop(settings) == "asyncio"
    loop = asyncio.new_event_loop()
    try:
        assert type(loop).__module__.startswith("asyncio")
    finally:
        loop.close()


def test_a_missing_uvloop_is_one_clear_error(monkeypatch, restore_policy):
    import builtins

    real_import = builtins.__import__

    def no_uvloop(name, *args, **kwargs):
        if name == "uvloop":
            raise ImportError("No module named 'uvloop'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_uvloop)
    with pytest.raises(ConfigError, match="NEWS_EVENT_LOOP=asyncio"):
        use_event_loop(Settings())


def test_producer_and_consumer_settings_reach_faust():
    import faust

    settings = Settings.from_env({"NEWS_PRODUCER_LINGER_MS": "20", "NEWS_PRODUCER_BATCH_BYTES": "262144",
                                  "NEWS_CONSUMER_MAX_POLL_RECORDS": "250", "NEWS_CONSUMER_FETCH_BYTES": "1048576",
                                  "NEWS_STREAM_BUFFER": "64"})
    settings = replace(settings, kafka_bootstrap_servers="127.0.0.1:1")
    conf = faust.App("cost-test", **faust_config(settings)).conf
    assert conf.producer_linger == pytest.approx(0.020)
    assert conf.producer_max_batch_size == 262144
    assert conf.broker_max_poll_records == 250
    assert conf.consumer_max_fetch_size == 1048576
    assert conf.stream_buffer_maxsize == 64
    default = faust.App("cost-test-default", **faust_config(replace(Settings(), kafka_bootstrap_servers="127.0.0.1:1")))
    assert default.conf.broker_max_poll_records == 20 and default.conf.stream_buffer_maxsize == 32
    every = replace(Settings(), kafka_bootstrap_servers="127.0.0.1:1", consumer_max_poll_records=0)
    assert faust.App("cost-test-all", **faust_config(every)).conf.broker_max_poll_records is None  # 0: all of a fetch


def test_freezing_moves_live_objects_out_of_the_collectors_view():
    kept = [[i] for i in range(1000)]  # long-lived, tracked containers
    try:
        frozen = freeze_long_lived()
        assert frozen >= len(kept) and gc.get_freeze_count() == frozen
        seen = {id(o) for o in gc.get_objects()}  # the permanent generation is not in any pass
        assert not any(id(k) in seen for k in kept)
        fresh = [[0]]
        assert id(fresh[0]) in {id(o) for o in gc.get_objects()}  # made later: collected as usual
    finally:
        gc.unfreeze()
