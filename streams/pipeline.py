"""The two stages as pure functions of payload -> record | dead letter (no Kafka here).

The Faust agents, ``news-streams process`` and the tests all call these, so a record is
treated the same whether it comes from a topic, a file or a unit test. A stage never raises:
refusals (:class:`Rejected`) and bugs alike become one dead-letter record each.
"""

from __future__ import annotations

import logging
from dataclasses import fields
from typing import Any

import orjson

from .clean import clean_article
from .deadletter import dead_letter
from .entities import enrich
from .facts import add_facts
from .errors import Reason, Rejected
from .ingest import article_id_hint, decode_raw
from .names import Stage
from .records import CleanedArticle, Dateline, DeadLetter, EnrichedArticle, RawArticle, Removal, SourcePosition

log = logging.getLogger(__name__)

CLEAN = Stage.CLEAN
ENTITIES = Stage.ENTITIES


def clean_stage(
    payload: bytes | str | None,
    source: SourcePosition,
    *,
    max_bytes: int,
    ingested_at: str | None = None,
) -> CleanedArticle | DeadLetter:
    """raw payload -> :class:`CleanedArticle`, or a dead letter saying why not."""
    article_id: str | None = None
    try:
        raw = decode_raw(payload, max_bytes=max_bytes)
        article_id = raw.id
        return clean_article(raw, ingested_at=ingested_at)
    except Rejected as exc:
        stage = CLEAN if article_id is not None else Stage.INGEST
        return dead_letter(
            payload, stage=stage, reason=exc.reason, message=exc.message, source=source,
            article_id=article_id or (article_id_hint(payload) if exc.reason != Reason.TOO_LARGE else None),
        )
    except Exception as exc:  # a bug must not stop the stream: dead-letter it and say where
        log.exception("clean stage failed on %s (article %s)", source.describe(), article_id)
        return dead_letter(
            payload, stage=CLEAN, reason=Reason.INTERNAL_ERROR, message=f"{type(exc).__name__}: {exc}",
            source=source, article_id=article_id,
        )


def entities_stage(cleaned: CleanedArticle | bytes | str, source: SourcePosition) -> EnrichedArticle | DeadLetter:
    """cleaned record (object or its JSON) -> :class:`EnrichedArticle`, or a dead letter."""
    article_id: str | None = None
    try:
        if not isinstance(cleaned, CleanedArticle):
            cleaned = cleaned_from_json(cleaned)
        article_id = cleaned.id
        return add_facts(enrich(cleaned))  # entities, then who said what and when
    except Rejected as exc:
        return dead_letter(_payload(cleaned), stage=ENTITIES, reason=exc.reason, message=exc.message,
                           source=source, article_id=article_id)
    except Exception as exc:
        log.exception("entities stage failed on %s (article %s)", source.describe(), article_id)
        return dead_letter(_payload(cleaned), stage=ENTITIES, reason=Reason.INTERNAL_ERROR,
                           message=f"{type(exc).__name__}: {exc}", source=source, article_id=article_id)


def warm_up() -> None:
    """Load models and detectors now, so the first article does not pay seconds for it."""
    from .clean import warm_up as warm_clean
    from .entities.model import load_model

    warm_clean()
    load_model()
    enrich(clean_article(RawArticle(id="warm-up", body="زار الرئيس بغداد.")))


def process_payload(
    payload: bytes | str | None, source: SourcePosition, *, max_bytes: int
) -> EnrichedArticle | DeadLetter:
    """Both stages in-process: what ``news-streams process`` runs for every input line."""
    cleaned = clean_stage(payload, source, max_bytes=max_bytes)
    if isinstance(cleaned, DeadLetter):
        return cleaned
    return entities_stage(cleaned, source)


_CLEANED_FIELDS = {f.name for f in fields(CleanedArticle)}


def cleaned_from_json(payload: bytes | str) -> CleanedArticle:
    """Rebuild a :class:`CleanedArticle` from the ``cleaned`` topic (our own contract)."""
    data = orjson.loads(payload)
    if not isinstance(data, dict):
        raise Rejected(Reason.NOT_AN_OBJECT, "cleaned record is not a JSON object")
    return cleaned_from_dict(data)


def cleaned_from_dict(data: dict[str, Any]) -> CleanedArticle:
    values = {k: v for k, v in data.items() if k in _CLEANED_FIELDS}
    if values.get("dateline") is not None:
        values["dateline"] = Dateline(**values["dateline"])
    values["removed"] = [Removal(**r) for r in values.get("removed") or ()]
    try:
        return CleanedArticle(**values)
    except TypeError as exc:
        raise Rejected(Reason.SCHEMA_VIOLATION, f"cleaned record does not match the contract: {exc}") from None


def to_json(record: object) -> bytes:
    return orjson.dumps(record)


def _payload(cleaned: object) -> bytes | str | None:
    if isinstance(cleaned, (bytes, str)):
        return cleaned
    try:
        return orjson.dumps(cleaned)
    except TypeError:
        return None

