"""Who said what, and when: attributed statements and resolved dates of an article (pure).

:func:`extract_facts` is what the entity stage calls for every record (worker, ``process`` and
tests alike): it needs the cleaned text, dateline and timestamps, and the entities already found
(a speaker is linked to the index of its entity in the record's ``entities``). Nothing here does
I/O or raises on bad input: odd text gives fewer facts, never an exception.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timezone

from .date_words import NEEDLE_WORDS
from .dates import find_dates, parse_anchor, written_day
from .model import DateAnchor, DateMention, Quote, Speaker
from .quotes import EntitySpan, find_quotes
from .shadow import Shadowed, shadow_and_words, word_set
from .speech import TRIGGER_WORDS

__all__ = ["DateAnchor", "DateMention", "Facts", "Quote", "Speaker", "add_facts", "extract_facts", "resolve_anchor"]

log = logging.getLogger(__name__)

#: the words the finders ask an article's word set about (reporting verbs, date key words)
KEY_WORDS = TRIGGER_WORDS | NEEDLE_WORDS


@dataclass(slots=True)
class Facts:
    quotes: list[Quote]
    dates: list[DateMention]
    anchor: DateAnchor


def resolve_anchor(published_at: str | None, dateline_date: str | None, ingested_at: str | None,
                   processed_at: str | None) -> tuple[date, str]:
    """published_at, else the dateline's written date, else the ingest (else processing) time."""
    for value, source in ((published_at, "published_at"), (dateline_date, "dateline"),
                          (ingested_at, "ingested_at"), (processed_at, "processed_at")):
        d = written_day(value) if source == "dateline" else parse_anchor(value)
        if d is not None:
            return d, source
    return datetime.now(timezone.utc).date(), "processed_at"


def entity_spans(entities) -> list[EntitySpan]:
    """(start, end, index, type) of every body mention of the record's entities."""
    return [(m.start, m.end, i, e.type) for i, e in enumerate(entities) for m in e.mentions if m.field == "text"]


def extract_facts(text: str, dateline, published_at: str | None, ingested_at: str | None,
                  processed_at: str | None, entities=(), article_id: str | None = None) -> Facts:
    """Quotes and dates of one article; on an unexpected failure, empty lists (logged)."""
    day, source = resolve_anchor(published_at, getattr(dateline, "date", None), ingested_at, processed_at)
    anchor = DateAnchor(day.isoformat(), source)
    quotes: list[Quote] = []
    dates: list[DateMention] = []
    sh = shadow_and_words(text) if text else Shadowed("", "")  # computed once, shared by both finders
    words = word_set(sh.w, KEY_WORDS)  # only the words that name a trigger or a date needle
    try:
        quotes = find_quotes(text or "", entity_spans(entities), sh.s, sh.w, words, sh.marks, sh.ends)
    except Exception:  # never fail the record on quotes: log and carry on without
        log.exception("quote extraction failed for article %s", article_id)
    try:
        if dateline is not None and dateline.text:
            dates = find_dates(dateline.text, day, field="dateline")
        dates += find_dates(text or "", day, s=sh.s, words=words, digits=sh.digits)
    except Exception:
        log.exception("date extraction failed for article %s", article_id)
    return Facts(quotes, dates, anchor)


def add_facts(record):
    """Fill an enriched record's ``quotes``, ``dates`` and ``dates_anchor`` (returns the record)."""
    facts = extract_facts(record.text, record.dateline, record.published_at, record.ingested_at,
                          record.processed_at, record.entities, record.id)
    record.quotes, record.dates, record.dates_anchor = facts.quotes, facts.dates, facts.anchor
    return record
