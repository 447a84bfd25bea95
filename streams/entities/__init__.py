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

import logging

from ..records import CleanedArticle, EnrichedArticle, Entity
from ..timeutil import now_rfc3339

__all__ = ["enrich"]

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
    return EnrichedArticle(
        id=cleaned.id,
        text=cleaned.text,
        text_normalized=cleaned.text_normalized,
        title=cleaned.title,
        source=cleaned.source,
        url=cleaned.url,
        section=cleaned.section,
        language=cleaned.language,
        language_confidence=cleaned.language_confidence,
        published_at=cleaned.published_at,
        scraped_at=cleaned.scraped_at,
        ingested_at=cleaned.ingested_at,
        cleaned_at=cleaned.cleaned_at,
        processed_at=now or now_rfc3339(),
        content_hash=cleaned.content_hash,
        paragraphs=[list(p) for p in cleaned.paragraphs],
        sentence_count=cleaned.sentence_count,
        word_count=cleaned.word_count,
        char_count=cleaned.char_count,
        entities=_entities(cleaned),
        dateline=cleaned.dateline,
        byline=cleaned.byline,
        authors=list(cleaned.authors),
        captions=list(cleaned.captions),
        removed=list(cleaned.removed),
        was_html=cleaned.was_html,
        extra=dict(cleaned.extra),
        schema_version=cleaned.schema_version,
    )
