"""The edge: every way a raw payload can be wrong has its own reason code."""

from __future__ import annotations

import orjson
import pytest

from streams.errors import Reason, Rejected
from streams.ingest import article_id_hint, decode_raw

LIMIT = 10_000


def reason_of(payload) -> Reason:
    with pytest.raises(Rejected) as info:
        decode_raw(payload, max_bytes=LIMIT)
    assert info.value.message  # a human message, always
    return info.value.reason


@pytest.mark.parametrize(
    "payload, reason",
    [
        (b'{"id": "a", "body": "unterminated', Reason.MALFORMED_JSON),
        (b"", Reason.MALFORMED_JSON),
        (None, Reason.MALFORMED_JSON),
        (b"[1, 2]", Reason.NOT_AN_OBJECT),
        (b'"just a string"', Reason.NOT_AN_OBJECT),
        (b"null", Reason.NOT_AN_OBJECT),
        (b'{"body": "text"}', Reason.MISSING_FIELD),
        (b'{"id": "a"}', Reason.MISSING_FIELD),
        (b'{"id": "a", "body": null}', Reason.MISSING_FIELD),
        (b'{"id": 5, "body": "text"}', Reason.WRONG_TYPE),
        (b'{"id": "a", "body": ["text"]}', Reason.WRONG_TYPE),
        (b'{"id": "a", "body": "text", "title": 7}', Reason.WRONG_TYPE),
        (b'{"id": "", "body": "text"}', Reason.SCHEMA_VIOLATION),
        (b'{"id": "a", "body": "  \\n\\t "}', Reason.EMPTY_BODY),
        (b'{"id": "a", "body": "\xff\xfe bad"}', Reason.INVALID_UTF8),
        (b"\x00\x01\x02binary", Reason.MALFORMED_JSON),
        (b"[" * 6000 + b"]" * 6000, Reason.TOO_LARGE),
    ],
)
def test_bad_payloads_get_a_reason(payload, reason):
    assert reason_of(payload) == reason


def test_deep_nesting_is_malformed_not_a_crash():
    payload = b'{"id": "a", "body": "x", "extra": ' + b"[" * 2000 + b"]" * 2000 + b"}"
    assert reason_of(payload) == Reason.MALFORMED_JSON  # orjson refuses >1024 levels


def test_too_large_is_checked_before_parsing():
    payload = orjson.dumps({"id": "big", "body": "ا" * LIMIT})
    assert reason_of(payload) == Reason.TOO_LARGE


def test_valid_record_keeps_unknown_fields():
    raw = decode_raw(
        orjson.dumps({"id": "a1", "body": "نص", "title": "عنوان", "category": None, "tags": ["x"]}),
        max_bytes=LIMIT,
    )
    assert (raw.id, raw.body, raw.title) == ("a1", "نص", "عنوان")
    assert raw.extra == {"category": None, "tags": ["x"]}


def test_article_id_hint():
    assert article_id_hint(b'{"id": "x", "body": 1}') == "x"
    assert article_id_hint(b'{"id": 3}') is None
    assert article_id_hint(b"not json") is None


def test_schema_messages_name_the_field_and_stay_short():
    with pytest.raises(Rejected) as info:
        decode_raw(b'{"id": "a", "body": "text", "title": 7}', max_bytes=LIMIT)
    assert info.value.message.startswith("field title: 7 is not of type")
    with pytest.raises(Rejected) as info:
        decode_raw(orjson.dumps({"id": "a", "body": "text", "url": ["x" * 60] * 8}), max_bytes=LIMIT)
    assert info.value.reason == Reason.WRONG_TYPE and len(info.value.message) < 400
