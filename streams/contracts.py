"""The record contracts: JSON Schema files under ``schemas/v1`` are the one source of truth.

Raw input is validated against ``raw.schema.json`` itself (compiled once with fastjsonschema),
so the contract other tools read is exactly the check the worker applies. Output records are
produced by typed dataclasses (:mod:`streams.records`); the test suite validates them against
the other schema files.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import Any, Callable

import fastjsonschema
import orjson

SCHEMA_VERSION_DIR = "v1"
SCHEMA_NAMES = ("raw", "cleaned", "enriched", "dead-letter", "common", "trends", "story", "stories")


def schema_dir() -> Path:
    """``schemas/v1`` beside the package (source checkout / editable install) or ``NEWS_SCHEMA_DIR``."""
    override = os.environ.get("NEWS_SCHEMA_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parent.parent / "schemas" / SCHEMA_VERSION_DIR


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    if name not in SCHEMA_NAMES:
        raise ValueError(f"unknown schema {name!r}")
    path = schema_dir() / f"{name}.schema.json"
    return orjson.loads(path.read_bytes())


@functools.cache
def raw_validator() -> Callable[[Any], Any]:
    """Compiled validator for raw records; raises ``fastjsonschema.JsonSchemaException``."""
    return fastjsonschema.compile(load_schema("raw"))
