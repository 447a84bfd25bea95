"""The worker's web side (``NEWS_WEB_HOST``:``NEWS_WEB_PORT``): ``/metrics``, ``/healthz``,
``/readyz``, and the timer that refreshes the consumer-lag metric.

* ``/healthz``, *liveness*: 200 while the worker's event loop answers and the app is neither
  stopping nor crashed; 503 otherwise. It does not look at Kafka: a broker outage is not fixed
  by restarting the worker (Kubernetes ``livenessProbe``).
* ``/readyz``, *readiness*: 200 only when the models are loaded, the group coordinator (so the
  broker) is reachable, the worker has joined the consumer group, and a partition assignment
  has completed since the last rebalance began: with partitions of its input topics, or with
  none because the group has more workers than partitions (``"idle": true``, still ready: it
  takes over when another worker leaves). 503 otherwise, with the failing checks named
  (Kubernetes ``readinessProbe``, compose health checks, ``WorkerProcess.wait_assigned``).

Both answer JSON; neither ever shows a setting value (no secrets).
"""

from __future__ import annotations

import logging
from typing import Any, Iterable

import faust
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from ..kafka import internals
from . import metrics as m

log = logging.getLogger("streams.worker")


class Health:
    """What ``/healthz`` and ``/readyz`` report for one worker; the app's rebalance signals
    (``on_partitions_revoked``/``on_partitions_assigned``) keep :attr:`assignment` current."""

    def __init__(self, app: faust.App, *, app_id: str, worker_id: str, input_topics: Iterable[str]) -> None:
        self.app, self.app_id, self.worker_id = app, app_id, worker_id
        self.input_topics = frozenset(input_topics)
        self.models_loaded = False
        self.assignment: frozenset | None = None  # None until an assignment completes (and during a rebalance)

    async def on_partitions_revoked(self, sender: Any, revoked: Any, **kwargs: Any) -> None:
        self.assignment = None

    async def on_partitions_assigned(self, sender: Any, assigned: Any, **kwargs: Any) -> None:
        self.assignment = frozenset(assigned)

    def _running(self) -> bool:
        return not self.app.should_stop and not self.app.crashed

    def _assigned(self) -> int:
        try:
            return len(self.app.consumer.assignment())
        except Exception:  # consumer not started yet
            return 0

    def liveness(self) -> tuple[bool, dict[str, Any]]:
        ok = self._running()
        return ok, {"status": "ok" if ok else "stopping", "app_id": self.app_id, "worker": self.worker_id,
                    "assigned_partitions": self._assigned(), "rebalancing": bool(self.app.rebalancing)}

    def readiness(self) -> tuple[bool, dict[str, Any]]:
        group = internals.group_state(self.app.consumer)
        assignment = self.assignment
        inputs = sorted(f"{tp.topic}[{tp.partition}]" for tp in assignment or () if tp.topic in self.input_topics)
        checks = {
            "running": self._running(),
            "models_loaded": self.models_loaded,
            "broker_reachable": group.coordinator_known,
            "group_joined": group.joined,
            "partitions_assigned": assignment is not None and not self.app.rebalancing,
        }
        ok = all(checks.values())
        return ok, {"status": "ready" if ok else "not_ready", "app_id": self.app_id, "worker": self.worker_id,
                    "checks": checks, "failing": [name for name, passed in checks.items() if not passed],
                    "assigned_partitions": len(inputs), "partitions": inputs,
                    "idle": ok and not inputs, "generation": group.generation}


def install(app: faust.App, health: Health, lag_topics: Iterable[str]) -> None:
    """Register the pages and the lag timer on ``app``."""
    lag_topics = tuple(lag_topics)

    @app.page("/metrics")
    async def metrics_view(web: Any, request: Any) -> Any:
        m.READY.set(1 if health.readiness()[0] else 0)  # readiness as a series: alert NewsWorkerNotReady
        # aiohttp refuses a charset inside content_type; the exposition format is UTF-8 anyway.
        return web.bytes(generate_latest(m.REGISTRY), content_type=CONTENT_TYPE_LATEST.split("; charset")[0])

    @app.page("/healthz")
    async def health_view(web: Any, request: Any) -> Any:
        ok, body = health.liveness()
        return web.json(body, status=200 if ok else 503)

    @app.page("/readyz")
    async def ready_view(web: Any, request: Any) -> Any:
        ok, body = health.readiness()
        return web.json(body, status=200 if ok else 503)

    @app.timer(interval=5.0)
    async def update_lag() -> None:
        """``news_consumer_lag``: log end offset minus the committed offset, per assigned partition."""
        try:
            await m.refresh_consumer_lag(app.consumer, lag_topics)
        except Exception as exc:  # keep the last figures; the timestamp metric shows they are stale
            log.warning("could not refresh news_consumer_lag: %s: %s", type(exc).__name__, exc)
