"""RFC 3339 timestamps, always UTC with millisecond precision."""

from __future__ import annotations

from datetime import datetime, timezone


def rfc3339(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def now_rfc3339() -> str:
    return rfc3339(datetime.now(timezone.utc))


def from_epoch_ms(ms: float | int | None) -> str | None:
    """A Kafka record timestamp (ms since the epoch) as RFC 3339; None stays None."""
    if ms is None or ms < 0:
        return None
    return rfc3339(datetime.fromtimestamp(ms / 1000.0, timezone.utc))


def to_epoch_seconds(value: str | None) -> float | None:
    """Parse an RFC 3339 string (``Z`` or offset); None when absent or unparseable."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None
