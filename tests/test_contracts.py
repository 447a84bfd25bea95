"""One source of truth: the schema files and the code's records agree."""

from __future__ import annotations

import dataclasses
import typing

import orjson
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from streams import contracts
from streams.contracts import SCHEMA_NAMES, load_schema
from streams.deadletter import dead_letter
from streams.errors import Reason
from streams.pipeline import process_payload
from streams.records import (
    CleanedArticle, DeadLetter, EnrichedArticle, Entity, Mention, SourcePosition,
)


def _registry() -> Registry:
    resources = []
    for name in SCHEMA_NAMES:
        schema = load_schema(name)
        resources.append((schema["$id"], Resource.from_contents(schema)))
        resources.append((f"{name}.schema.json", Resource.from_contents(schema)))
    return Registry().with_resources(resources)


def validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(load_schema(name), registry=_registry())


def assert_valid(name: str, record: object) -> None:
    """The package's own 2020-12 engine, formats (date-time) checked."""
    doc = orjson.loads(orjson.dumps(record))
    errors = list(contracts.validator(name).iter_errors(doc))
    assert not errors, "\n".join(f"{e.instance_path}: {e.message}" for e in errors[:10])


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_schema_files_are_valid_2020_12(name):
    Draft202012Validator.check_schema(load_schema(name))


def _fields(cls) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


def test_cleaned_record_fields_match_schema():
    props = load_schema("common")["$defs"]["cleanedFields"]["properties"]
    assert _fields(CleanedArticle) == set(props)
    assert set(load_schema("common")["$defs"]["cleanedFields"]["required"]) == set(props)


def test_enriched_record_fields_match_schema():
    common = set(load_schema("common")["$defs"]["cleanedFields"]["properties"])
    enriched = load_schema("enriched")
    assert _fields(EnrichedArticle) == common | set(enriched["properties"]) - {"story"}  # story: process only
    entity = enriched["properties"]["entities"]["items"]
    assert _fields(Entity) == set(entity["properties"])
    assert _fields(Mention) == set(entity["properties"]["mentions"]["items"]["properties"])


def test_dead_letter_fields_and_reasons_match_schema():
    schema = load_schema("dead-letter")
    assert _fields(DeadLetter) == set(schema["properties"])
    assert _fields(SourcePosition) == set(schema["properties"]["source"]["properties"])
    assert {r.value for r in Reason} == set(schema["properties"]["reason"]["enum"])


def test_raw_schema_keeps_unknown_fields():
    assert load_schema("raw")["additionalProperties"] is True


def test_seed_article_round_trip_validates(seed_article: bytes):
    assert_valid("raw", orjson.loads(seed_article))
    result = process_payload(seed_article, SourcePosition(file="seed", line=1), max_bytes=2_000_000)
    assert isinstance(result, EnrichedArticle), result
    assert_valid("enriched", result)
    cleaned_view = {k: v for k, v in orjson.loads(orjson.dumps(result)).items()
                    if k not in set(load_schema("enriched")["properties"])}
    assert_valid("cleaned", cleaned_view)


def test_corpus_sample_records_validate():
    from streams.samples import raw_articles

    from .conftest import research_data

    _, lines = raw_articles(40, research_data())  # the shared corpus, else synthetic articles
    for n, line in enumerate(lines):
        result = process_payload(line, SourcePosition(file="corpus", line=n + 1), max_bytes=2_000_000)
        assert_valid("dead-letter" if isinstance(result, DeadLetter) else "enriched", result)


@pytest.mark.parametrize("payload", [b"\xff\xfe", b"{", b'{"id": "x"}', b'{"id": "x", "body": " "}'])
def test_dead_letters_validate(payload):
    result = process_payload(payload, SourcePosition(topic="t", partition=0, offset=1, key="x"), max_bytes=100)
    assert isinstance(result, DeadLetter)
    assert_valid("dead-letter", result)
    assert (result.payload is None) != (result.payload_base64 is None)


def test_binary_payload_is_kept_as_base64():
    import base64

    dl = dead_letter(b"\xff\x00\x01", stage="ingest", reason=Reason.INVALID_UTF8, message="m",
                     source=SourcePosition())
    assert dl.payload is None and base64.b64decode(dl.payload_base64) == b"\xff\x00\x01"


def test_entity_type_literal_documented():
    fields = {"text", "title", "dateline", "byline"}  # dateline/byline added (issue 17), additively
    assert set(typing.get_args(typing.get_type_hints(Mention)["field"])) == fields
    enriched = load_schema("enriched")
    assert fields == set(_find(enriched, "field")["enum"]) == set(_find(enriched, "first_field")["enum"])


def _find(node, key):
    """The first value of ``key`` anywhere in a JSON document."""
    if isinstance(node, dict):
        if key in node:
            return node[key]
        node = list(node.values())
    if isinstance(node, list):
        for v in node:
            found = _find(v, key)
            if found is not None:
                return found
    return None


def test_2020_12_keywords_are_enforced():
    # fastjsonschema (drafts 4-7) accepted ["x", 1] as a paragraph: prefixItems was unknown to it.
    result = process_payload(b'{"id": "p", "body": "text"}', SourcePosition(), max_bytes=1000)
    record = orjson.loads(orjson.dumps(result))
    assert contracts.validator("enriched").is_valid(record)
    assert not contracts.validator("enriched").is_valid({**record, "paragraphs": [["x", 1]]})


@pytest.mark.parametrize("stamp, ok", [("2026-11-29T01:02:03.456Z", True), ("2026-11-29T01:02:03+03:00", True),
                                       ("2026-11-29 01:02", False), ("yesterday", False), ("2026-13-01T00:00:00Z", False)])
def test_timestamps_are_rfc3339_date_times(stamp, ok):
    dl = orjson.loads(orjson.dumps(dead_letter(b"{}", stage="ingest", reason=Reason.MISSING_FIELD, message="m",
                                               source=SourcePosition())))
    assert load_schema("common")["$defs"]["timestamp"]["format"] == "date-time"
    assert contracts.validator("dead-letter").is_valid({**dl, "failed_at": stamp}) is ok


def _removal_reasons_in_code() -> set[str]:
    """Every reason the cleaner passes to ``Found.remove`` (string literals, both arms of an if-else)."""
    import ast
    from pathlib import Path

    found: set[str] = set()
    for path in (Path(contracts.__file__).parent / "clean").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "remove" \
                    and len(node.args) == 2:
                arg = node.args[0]
                arms = [arg.body, arg.orelse] if isinstance(arg, ast.IfExp) else [arg]
                for arm in arms:
                    assert isinstance(arm, ast.Constant) and isinstance(arm.value, str), \
                        f"{path.name}:{node.lineno}: a removal reason must be a literal the schema can list"
                    found.add(arm.value)
    return found


def test_removal_reason_enum_is_exactly_what_the_code_emits():
    enum = load_schema("common")["$defs"]["removal"]["properties"]["reason"]["enum"]
    assert len(enum) == len(set(enum))
    assert _removal_reasons_in_code() == set(enum)
