"""The fault suite (marker ``faults``): real Kafka, real worker processes, real signals.

Tests that only need one broker use the session's broker (``kafka_bootstrap``: the one named by
KAFKA_BOOTSTRAP_SERVERS, or a KRaft node started for the session); the broker-failure and
security tests start clusters of their own. Every wait is bounded.
"""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/faults/" in str(item.fspath):
            item.add_marker(pytest.mark.faults)
