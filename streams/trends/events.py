"""From an enriched record to what the trend counter needs: event time and one observation per entity.

Pure functions on the enriched record as a plain ``dict`` (as read from the topic or a JSON Lines
file), so the worker, the batch command and the tests share them. Nothing here raises on bad
input: every refusal is a :class:`Skip` with a stable reason code (for a metric).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Mapping

#: Reasons an article (or one of its entities) is not counted; metric label values.
NO_ID = "no_id"
NO_EVENT_TIME = "no_event_time"
FUTURE = "future"
NO_ENTITIES = "no_entities"
BAD_ENTITY = "bad_entity"
TOO_MANY_ENTITIES = "too_many_entities"
LATE = "late"
DUPLICATE = "duplicate"
NOT_AN_OBJECT = "not_an_object"

#: Where the event time came from.
FROM_PUBLISHED = "published_at"
FROM_INGESTED = "ingested_at"


@dataclass(frozen=True, slots=True)
class Observation:
    """One entity of one article at its event time (what is repartitioned by ``key``)."""

    key: str
    article: str
    t: int  # event time, ms since the epoch (UTC)
    mentions: int
    type: str
    text: str
    id: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Extracted:
    """An article's observations, plus what was refused and where its time came from."""

    observations: list[Observation]
    skipped: dict[str, int]  # reason -> number of articles/entities refused
    time_source: str | None = None  # FROM_PUBLISHED / FROM_INGESTED; None when the article was refused


def parse_time_ms(value: Any) -> int | None:
    """ISO 8601 / RFC 3339 (``Z``, an offset, or none: UTC), a date alone, or RFC 2822; else None."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        try:
            dt = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    try:
        return int(dt.timestamp() * 1000)
    except (OverflowError, OSError, ValueError):
        return None


#: Event times before 1900-01-01 are not believed (a zeroed or mistyped date).
EARLIEST_MS = -2_208_988_800_000


def event_time_ms(record: Mapping[str, Any]) -> tuple[int | None, str | None]:
    """``published_at`` (UTC when it has no offset), else ``ingested_at`` (the raw record's Kafka
    timestamp). A ``published_at`` that does not parse or is before 1900 also falls back to
    ``ingested_at``."""
    t = parse_time_ms(record.get("published_at"))
    if t is not None and t >= EARLIEST_MS:
        return t, FROM_PUBLISHED
    t = parse_time_ms(record.get("ingested_at"))
    if t is not None and t >= EARLIEST_MS:
        return t, FROM_INGESTED
    return None, None


def entity_key(entity: Mapping[str, Any]) -> str | None:
    """The entity's ``id`` when linked, else ``TYPE:text`` exactly as in the record."""
    eid = entity.get("id")
    if isinstance(eid, str) and eid:
        return eid
    etype, text = entity.get("type"), entity.get("text")
    if isinstance(etype, str) and isinstance(text, str) and etype and text:
        return f"{etype}:{text}"
    return None


def _mentions(entity: Mapping[str, Any]) -> int:
    mentions = entity.get("mentions")
    if isinstance(mentions, list) and mentions:
        return len(mentions)
    count = entity.get("count")
    return count if isinstance(count, int) and not isinstance(count, bool) and count > 0 else 1


def extract(record: Any, *, now_ms: int, future_ms: int, max_entities: int) -> Extracted:
    """An enriched record -> one :class:`Observation` per distinct entity key.

    Refused: no ``id`` / no usable time / event time more than ``future_ms`` after ``now_ms``
    (whole article), malformed entities (each), entities beyond ``max_entities`` (each).
    Two entities with the same key in one article (possible for unlinked surface forms) are one
    observation with their mentions summed.
    """
    if not isinstance(record, Mapping):
        return Extracted([], {NOT_AN_OBJECT: 1})
    article = record.get("id")
    if not isinstance(article, str) or not article:
        return Extracted([], {NO_ID: 1})
    t, source = event_time_ms(record)
    if t is None:
        return Extracted([], {NO_EVENT_TIME: 1})
    if t > now_ms + future_ms:
        return Extracted([], {FUTURE: 1})
    entities = record.get("entities")
    if not isinstance(entities, list) or not entities:
        return Extracted([], {NO_ENTITIES: 1}, source)
    skipped: dict[str, int] = {}
    by_key: dict[str, Observation] = {}
    for entity in entities:
        key = entity_key(entity) if isinstance(entity, Mapping) else None
        if key is None:
            skipped[BAD_ENTITY] = skipped.get(BAD_ENTITY, 0) + 1
            continue
        n = _mentions(entity)
        seen = by_key.get(key)
        if seen is not None:
            by_key[key] = Observation(key, article, t, seen.mentions + n, seen.type, seen.text, seen.id, seen.name)
            continue
        if len(by_key) >= max_entities:
            skipped[TOO_MANY_ENTITIES] = skipped.get(TOO_MANY_ENTITIES, 0) + 1
            continue
        eid, name = entity.get("id"), entity.get("name")
        by_key[key] = Observation(
            key, article, t, n, str(entity.get("type") or ""), str(entity.get("text") or ""),
            eid if isinstance(eid, str) and eid else None, name if isinstance(name, str) and name else None,
        )
    return Extracted(list(by_key.values()), skipped, source)
