"""The record contracts: JSON Schema files under ``schemas/v1`` are the one source of truth.

The schemas declare JSON Schema 2020-12 and are checked by a 2020-12 validator (jsonschema-rs:
``prefixItems``, ``$defs`` references and ``format: date-time`` all enforced). Raw input is
validated against ``raw.schema.json`` itself, so the contract other tools read is exactly the
check the worker applies (0.6 µs per corpus record against fastjsonschema's 4.7, which knew only
drafts 4-7: ``python -m bench.validate``). Output records are produced by typed dataclasses
(:mod:`streams.records`); :func:`validator` gives the tests (and any consumer) the same engine
for the other schema files.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import jsonschema_rs
import orjson

SCHEMA_VERSION_DIR = "v1"
SCHEMA_NAMES = ("raw", "cleaned", "enriched", "dead-letter", "common", "trends", "story", "stories")

ValidationError = jsonschema_rs.ValidationError


def schema_dir() -> Path:
    """``NEWS_SCHEMA_DIR``, the copy in the installed package, or ``schemas/v1`` of a checkout."""
    from .resources import schema_dir as locate

    return locate()


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    if name not in SCHEMA_NAMES:
        raise ValueError(f"unknown schema {name!r}")
    path = schema_dir() / f"{name}.schema.json"
    return orjson.loads(path.read_bytes())


@functools.cache
def validator(name: str) -> jsonschema_rs.Draft202012Validator:
    """A compiled 2020-12 validator for one contract, formats checked, ``$ref``s between files resolved."""
    registry = jsonschema_rs.Registry([(load_schema(n)["$id"], load_schema(n)) for n in SCHEMA_NAMES])
    schema = load_schema(name)
    return jsonschema_rs.Draft202012Validator(schema, validate_formats=True, registry=registry, base_uri=schema["$id"])


def raw_validator():
    """``validate(record)`` for raw records; raises :data:`ValidationError`."""
    return validator("raw").validate


def error_path(error: ValidationError) -> str:
    """``title`` or ``tags[2]``: where in the record the first error is."""
    out = ""
    for part in error.instance_path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def is_type_error(error: ValidationError) -> bool:
    return type(error.kind).__name__ == "Type"
