"""Entity stage: ``CleanedArticle`` -> ``EnrichedArticle`` (pure; no Kafka, no I/O after the model
is loaded once per process).

Arabic text goes through a CRF trained on ANERcorp (``models/ner.crfsuite``) with clitic-aware,
gazetteer-backed features, then through gazetteer/rule post-processing, linking (Wikidata QIDs
where known) and merging (one entity per real-world referent per article). English and French
sentences get gazetteer-linked entities only (countries, cities, organisations, agencies and
people from the curated lists and CLDR): names not in the gazetteers are *not* found there.
Entity types: PER, ORG, LOC, MISC.

Run time: ``extract`` (article -> entities) over ``recognize`` (spans of one sentence), ``model``
(the CRFs, tagging from ``tokencache``), ``features``, ``gazetteer``, ``merge``. Offline:
``training/`` (``news-streams ner train`` / ``ner eval``), which nothing here imports.
"""

from __future__ import annotations

import dataclasses

from ..records import CleanedArticle, EnrichedArticle, Entity
from ..timeutil import now_rfc3339

__all__ = ["enrich"]

#: Every cleaned field travels on unchanged (the contract test keeps the two records aligned).
_CLEANED_FIELDS = tuple(f.name for f in dataclasses.fields(CleanedArticle))


def _entities(cleaned: CleanedArticle) -> list[Entity]:
    from .extract import extract

    # no try/except: a bug propagates, and the pipeline turns it into one ``internal_error``
    # dead letter naming the exception (never a silently empty entity list)
    return extract(cleaned.text or "", cleaned.title, cleaned.language, dateline=cleaned.dateline,
                   byline=cleaned.byline, authors=cleaned.authors)


def enrich(cleaned: CleanedArticle, *, now: str | None = None) -> EnrichedArticle:
    """Copy every field of ``cleaned``, add ``processed_at`` (RFC 3339 UTC) and ``entities``."""
    copied = {name: getattr(cleaned, name) for name in _CLEANED_FIELDS}
    return EnrichedArticle(**copied, processed_at=now or now_rfc3339(), entities=_entities(cleaned))
