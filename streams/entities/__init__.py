"""Entity stage: ``CleanedArticle`` -> ``EnrichedArticle`` (pure; no Kafka, no I/O after the model
is loaded once per process).

Arabic text goes through a CRF trained on ANERcorp (``models/ner.crfsuite``) with clitic-aware,
gazetteer-backed features, then through gazetteer/rule post-processing, linking (Wikidata QIDs
where known) and merging (one entity per real-world referent per article). English and French
sentences get gazetteer-linked entities only (countries, cities, organisations, agencies and
people from the curated lists and CLDR): names not in the gazetteers are *not* found there.
Entity types: PER, ORG, LOC, MISC.
"""

from __future__ import annotations

import dataclasses
import logging

from ..records import CleanedArticle, EnrichedArticle, Entity
from ..timeutil import now_rfc3339

__all__ = ["enrich"]

#: Every cleaned field travels on unchanged (the contract test keeps the two records aligned).
_CLEANED_FIELDS = tuple(f.name for f in dataclasses.fields(CleanedArticle))

log = logging.getLogger(__name__)


def _entities(cleaned: CleanedArticle) -> list[Entity]:
    from .extract import extract

    try:
        return extract(cleaned.text or "", cleaned.title, cleaned.language)
    except Exception:  # never fail the record on entity extraction: log and carry on without
        log.exception("entity extraction failed for article %s", getattr(cleaned, "id", "?"))
        return []


def enrich(cleaned: CleanedArticle, *, now: str | None = None) -> EnrichedArticle:
    """Copy every field of ``cleaned``, add ``processed_at`` (RFC 3339 UTC) and ``entities``."""
    copied = {name: getattr(cleaned, name) for name in _CLEANED_FIELDS}
    return EnrichedArticle(**copied, processed_at=now or now_rfc3339(), entities=_entities(cleaned))
