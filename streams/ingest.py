"""The edge: bytes from the ``raw`` topic (or a file line) -> a validated :class:`RawArticle`.

Every way a payload can be wrong maps to one stable :class:`~streams.errors.Reason`, so the
dead-letter topic and the ``news_dead_letters_total`` metric say *why* without reading logs.
"""

from __future__ import annotations

from typing import Any

import orjson

from .contracts import ValidationError, error_path, is_type_error, raw_validator
from .errors import Reason, Rejected
from .records import RawArticle

_KNOWN = ("id", "body", "title", "source", "url", "section", "language", "published_at", "scraped_at")


def decode_raw(payload: bytes | str | None, *, max_bytes: int) -> RawArticle:
    """Decode and validate one raw record. Raises :class:`Rejected` with the reason."""
    if payload is None:
        raise Rejected(Reason.MALFORMED_JSON, "empty record (null value)")
    if isinstance(payload, str):
        payload = payload.encode("utf-8", "surrogatepass")
    size = len(payload)
    if size > max_bytes:
        raise Rejected(Reason.TOO_LARGE, f"record is {size:,} bytes; the limit (NEWS_MAX_RECORD_BYTES) is {max_bytes:,}")
    try:
        payload.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Rejected(
            Reason.INVALID_UTF8, f"not valid UTF-8 at byte {exc.start}: {payload[exc.start:exc.start + 8]!r}"
        ) from None
    try:
        data = orjson.loads(payload)
    except orjson.JSONDecodeError as exc:
        raise Rejected(Reason.MALFORMED_JSON, f"not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise Rejected(Reason.NOT_AN_OBJECT, f"expected a JSON object, got {type(data).__name__}")
    return raw_from_dict(data)


def raw_from_dict(data: dict[str, Any]) -> RawArticle:
    """Validate a decoded object against ``raw.schema.json`` and type it."""
    for required in ("id", "body"):
        if data.get(required) is None:
            raise Rejected(Reason.MISSING_FIELD, f"required field {required!r} is missing or null")
    try:
        raw_validator()(data)
    except ValidationError as exc:
        reason = Reason.WRONG_TYPE if is_type_error(exc) else Reason.SCHEMA_VIOLATION
        where = error_path(exc)
        message = exc.message  # quotes the value: keep its head and the verdict at the end
        message = message if len(message) <= 300 else f"{message[:80]}...{message[-160:]}"
        raise Rejected(reason, f"field {where}: {message}" if where else message) from None
    if not data["body"].strip():
        raise Rejected(Reason.EMPTY_BODY, "body is empty or whitespace only")
    extra = {k: v for k, v in data.items() if k not in _KNOWN}
    return RawArticle(
        id=data["id"],
        body=data["body"],
        title=data.get("title"),
        source=data.get("source"),
        url=data.get("url"),
        section=data.get("section"),
        language=data.get("language"),
        published_at=data.get("published_at"),
        scraped_at=data.get("scraped_at"),
        extra=extra,
    )


def article_id_hint(payload: bytes | str | None) -> str | None:
    """Best effort article id from a payload that failed validation (for the dead-letter key)."""
    if not payload:
        return None
    try:
        data = orjson.loads(payload)
    except (orjson.JSONDecodeError, TypeError):
        return None
    value = data.get("id") if isinstance(data, dict) else None
    return value if isinstance(value, str) and 0 < len(value) <= 512 else None
