"""Typed records at every boundary of the pipeline.

The JSON Schema files under ``schemas/v1/`` are the published contract; these dataclasses are
the code's view of the same records (``tests/test_contracts.py`` proves they agree). Raw input is
validated once, at the edge (:mod:`streams.ingest`); everything after that trusts its types.

Text fields and what they hold:

* ``text``: the cleaned *display* body: NFC, diacritics kept, tatweel/controls/boilerplate
  removed, paragraphs separated by ``"\\n\\n"``. All entity offsets point into it.
* ``text_normalized``: the *search* form: diacritics removed, alef/yeh/teh-marbuta/hamza
  variants unified, digits ASCII. Same paragraphs, but **offsets do not line up** with ``text``.
* ``title``: the cleaned display title; entity mentions may point into it (``field="title"``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from . import SCHEMA_VERSION
from .facts.model import DateAnchor, DateMention, Quote, Speaker  # noqa: F401  (enriched: quotes, dates)

EntityType = Literal["PER", "ORG", "LOC", "MISC"]
TextField = Literal["text", "title"]


@dataclass(slots=True)
class RawArticle:
    """A scraper's record, after validation. Unknown fields travel on in ``extra``."""

    id: str
    body: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    section: str | None = None
    language: str | None = None
    published_at: str | None = None
    scraped_at: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Dateline:
    """``بغداد - الأناضول`` -> place=بغداد, agency=الأناضول; ``text`` is the span as it stood."""

    text: str
    place: str | None = None
    date: str | None = None
    agency: str | None = None


@dataclass(slots=True)
class Removal:
    """One span the cleaner took out of the body, and why (for editors auditing the cleaner)."""

    reason: str
    text: str


@dataclass(slots=True)
class CleanedArticle:
    id: str
    text: str
    text_normalized: str
    title: str | None
    source: str | None
    url: str | None
    section: str | None
    language: str
    language_confidence: float
    published_at: str | None
    scraped_at: str | None
    ingested_at: str | None  # the raw record's Kafka timestamp (RFC 3339), when it came from Kafka
    cleaned_at: str
    content_hash: str
    paragraphs: list[list[int]]  # [start, end) offsets into ``text``
    sentence_count: int
    word_count: int
    char_count: int
    dateline: Dateline | None = None
    byline: str | None = None
    authors: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)
    was_html: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
    schema_version: str = SCHEMA_VERSION


@dataclass(slots=True)
class Mention:
    start: int
    end: int
    text: str
    field: TextField = "text"


@dataclass(slots=True)
class Entity:
    type: str  # one of EntityType; more types may be added
    text: str  # the representative surface form (usually the longest full mention)
    mentions: list[Mention]
    count: int
    id: str | None = None  # Wikidata QID when linked
    name: str | None = None  # English name when linked
    first_field: TextField = "text"
    first_start: int = 0
    in_title: bool = False
    confidence: float | None = None


@dataclass(slots=True, kw_only=True)
class EnrichedArticle(CleanedArticle):
    """Everything a consumer needs without rereading ``raw``: the cleaned article, when the entity
    stage processed it, and the entities it found."""

    processed_at: str
    entities: list[Entity]
    quotes: list[Quote] = field(default_factory=list)  # who said what (streams.facts)
    dates: list[DateMention] = field(default_factory=list)  # when (streams.facts)
    dates_anchor: DateAnchor | None = None  # the day relative dates were resolved against


def _place_fields(cls: type, after: dict[str, str]) -> None:
    """Put each new field of ``cls`` right after a field of its base, in ``fields()``, ``asdict``
    and on the wire (orjson follows ``__dataclass_fields__``): a subclass appends its fields, but
    the published field order of ``enriched`` has ``processed_at`` after ``cleaned_at`` and
    ``entities`` after ``char_count``."""
    current = cls.__dataclass_fields__
    moved = {name for name in after}
    order: list[str] = []
    for name in current:
        if name in moved:
            continue
        order.append(name)
        order += [new for new, anchor in after.items() if anchor == name]
    cls.__dataclass_fields__ = {name: current[name] for name in order}


_place_fields(EnrichedArticle, {"processed_at": "cleaned_at", "entities": "char_count"})


@dataclass(slots=True)
class SourcePosition:
    topic: str | None = None
    partition: int | None = None
    offset: int | None = None
    key: str | None = None
    file: str | None = None
    line: int | None = None

    def describe(self) -> str:
        """Where the record came from, for log lines: ``news.raw[2]@1041``, ``in.jsonl:7`` or ``input``."""
        if self.topic is not None:
            return f"{self.topic}[{self.partition}]@{self.offset}"
        if self.file is not None:
            return f"{self.file}:{self.line}"
        return "input"


@dataclass(slots=True)
class DeadLetter:
    """A record the pipeline could not process: the payload is kept so nothing is lost."""

    stage: str  # "ingest" | "clean" | "entities"
    reason: str  # a stable code, see streams.errors.Reason
    message: str  # for a human
    failed_at: str
    source: SourcePosition
    payload: str | None = None  # the original bytes, when they were valid UTF-8
    payload_base64: str | None = None  # ... otherwise base64
    article_id: str | None = None
    schema_version: str = SCHEMA_VERSION
