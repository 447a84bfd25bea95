"""The clean stage: ``RawArticle -> CleanedArticle``, a pure function (no Kafka, no I/O).

Used by the Faust worker and by the batch command. Order of work, and why:

1. empty/whitespace body -> ``Rejected(EMPTY_BODY)``;
2. HTML bodies -> main text with trafilatura (:mod:`.html`); plain bodies only lose stray
   entities/tags;
3. image captions marked with ``\\x1a\\x1a`` are taken before hygiene deletes the marker;
4. Unicode hygiene (:mod:`.unicode`) -> one paragraph per line, tatweel and invisibles gone;
5. boilerplate to structured fields (:mod:`.boilerplate`), to a fixed point;
6. nothing with a letter or digit left -> ``Rejected(NOTHING_LEFT)``;
7. display ``text`` (paragraphs joined by a blank line), search form
   ``text_normalized`` (:mod:`.arabic`), language (:mod:`.language`), structure and
   ``content_hash`` (:mod:`.structure`).

Every step is idempotent, so ``clean(clean(x).text) == clean(x).text`` (a tested property).
Anything unexpected inside the stage becomes ``Rejected(INTERNAL_ERROR)``, so the caller's
contract is simple: a :class:`CleanedArticle` or a :class:`Rejected` for the dead-letter topic.
"""

from __future__ import annotations

import logging
import re

from ..errors import Reason, Rejected
from ..records import CleanedArticle, RawArticle
from ..timeutil import now_rfc3339
from . import arabic, boilerplate, html, language, structure, unicode

__all__ = ["clean_article", "warm_up"]

warm_up = language.warm_up

log = logging.getLogger(__name__)

_HAS_CONTENT_RE = re.compile(r"[^\W_]")


def clean_article(raw: RawArticle, *, ingested_at: str | None = None, now: str | None = None) -> CleanedArticle:
    """Clean one raw article. Raises only :class:`Rejected` (``EMPTY_BODY``, ``NOTHING_LEFT``,
    or ``INTERNAL_ERROR`` for a bug, which is logged with its traceback)."""
    try:
        return _clean(raw, ingested_at, now)
    except Rejected:
        raise
    except Exception as exc:  # noqa: BLE001 - the stage's contract is "result or Rejected"
        log.exception("clean stage failed on article %r", getattr(raw, "id", None))
        raise Rejected(Reason.INTERNAL_ERROR, f"clean stage failed: {type(exc).__name__}: {exc}") from exc


def _clean(raw: RawArticle, ingested_at: str | None, now: str | None) -> CleanedArticle:
    body = raw.body
    if not body or body.isspace():
        raise Rejected(Reason.EMPTY_BODY, "the body is empty or only whitespace")

    found = boilerplate.Found()
    title = raw.title
    was_html = html.looks_like_html(body)
    if was_html:
        page = html.extract(body)
        body = page.text
        if not title and page.title:
            title = page.title
        if page.fallback:  # trafilatura failed on this page: say so in the record
            found.remove("extraction_fallback", page.fallback)
        if page.author:
            found.set_byline(unicode.one_line(html.strip_markup(page.author)) or page.author)
    if "&" in body or "<" in body:  # also after extraction: escaped markup in a page's text
        body = html.strip_markup(body)  # (``&ltP&gt``) is a tag once decoded, and a second pass would drop it

    body = boilerplate.take_marked_captions(body, found)
    blank_lines: list[str] = []
    paras = unicode.paragraphs(body, blank_lines)
    for line in blank_lines:
        found.remove("blank_line", line)
    paras = boilerplate.strip(paras, found)

    text, offsets = structure.join_paragraphs(paras)
    if not _HAS_CONTENT_RE.search(text):
        raise Rejected(Reason.NOTHING_LEFT, "no letter or digit left after cleaning")

    if title is not None and ("&" in title or "<" in title):
        title = html.strip_markup(title)
    text_normalized = arabic.normalize_search(text)
    lang, confidence = language.detect(text)
    return CleanedArticle(
        id=raw.id,
        text=text,
        text_normalized=text_normalized,
        title=unicode.one_line(title),
        source=raw.source,
        url=raw.url,
        section=raw.section,
        language=lang,
        language_confidence=confidence,
        published_at=raw.published_at,
        scraped_at=raw.scraped_at,
        ingested_at=ingested_at,
        cleaned_at=now or now_rfc3339(),
        content_hash=structure.content_hash(text_normalized),
        paragraphs=offsets,
        sentence_count=structure.sentence_count(text, paras, hygienic=True),
        word_count=structure.word_count(text, paras),
        char_count=len(text),
        dateline=found.dateline,
        byline=found.byline,
        authors=found.authors,
        captions=found.captions,
        removed=found.removed,
        was_html=was_html,
        extra=raw.extra,
    )
