"""The records of the enriched ``quotes``, ``dates`` and ``dates_anchor`` fields (the contract is
``schemas/v1/enriched.schema.json``; :mod:`streams.records` re-exports these)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Speaker:
    """Who spoke: a phrase of ``text`` and the index of its entity in the record's ``entities``."""

    text: str
    start: int
    end: int
    entity: int | None = None


@dataclass(slots=True)
class Quote:
    """A direct quotation (quote marks excluded) or a reported statement (the ``أن`` clause);
    ``text == record.text[start:end]``; ``via`` is the relay of a relayed statement."""

    text: str
    start: int
    end: int
    direct: bool
    verb: str | None
    speaker: Speaker | None
    via: Speaker | None = None


@dataclass(slots=True)
class DateMention:
    """One date expression. ``value`` is always a Gregorian ISO date (``YYYY-MM-DD``, ``YYYY-MM``
    or ``YYYY`` as ``granularity`` says; a week is given by a day in it); ``calendar`` is the
    calendar written (the first one of a ``الموافق`` pair); ``hijri`` the Hijri date when one was
    written (AH, same precision); offsets into ``text``, or into ``dateline.text`` when ``field``
    is ``dateline``."""

    text: str
    start: int
    end: int
    value: str
    granularity: str  # "day" | "week" | "month" | "year"
    calendar: str  # "gregorian" | "hijri"
    relative: bool
    field: str = "text"
    hijri: str | None = None


@dataclass(slots=True)
class DateAnchor:
    """The day relative dates were resolved against, and where it came from:
    ``published_at``, ``dateline``, ``ingested_at`` or ``processed_at``."""

    date: str
    source: str
