"""The curated word lists and gazetteers (tab-separated, ``#`` comment lines, ``|`` between
variants; each file names its source), read by the entity gazetteer and by the cleaner's
dateline/byline rules alike, so a name is listed once."""

from __future__ import annotations

from importlib import resources


def read_table(name: str) -> list[list[str]]:
    """The rows (lists of cells) of one data file, comments and blank lines skipped."""
    text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")]


def variants(cell: str) -> list[str]:
    """The ``|``-separated variants of one cell, the weak mark ``~`` dropped."""
    return [v for v in (v.strip().lstrip("~").strip() for v in cell.split("|")) if v]


def column_variants(name: str, column: int) -> list[str]:
    """Every variant in one column of a data file."""
    return [v for row in read_table(name) if len(row) > column for v in variants(row[column])]
