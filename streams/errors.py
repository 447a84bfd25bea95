"""Why a record was dead-lettered: stable reason codes (metric label values, alert keys)."""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    INVALID_UTF8 = "invalid_utf8"
    MALFORMED_JSON = "malformed_json"
    NOT_AN_OBJECT = "not_an_object"
    MISSING_FIELD = "missing_field"
    WRONG_TYPE = "wrong_type"
    SCHEMA_VIOLATION = "schema_violation"
    EMPTY_BODY = "empty_body"
    TOO_LARGE = "too_large"
    NOTHING_LEFT = "nothing_left"
    INTERNAL_ERROR = "internal_error"


class Rejected(Exception):
    """Raised by a stage for input it refuses; becomes exactly one dead-letter record."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason = Reason(reason)
        self.message = message

    def __str__(self) -> str:
        return f"{self.reason}: {self.message}"
