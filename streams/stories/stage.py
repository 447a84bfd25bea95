"""The story stage as one call per enriched record, for ``news-streams process`` and the worker."""

from __future__ import annotations

import logging
from typing import Any

import orjson

from .index import Assignment, StoryIndex

__all__ = ["StoryIndex", "assign_story", "with_story"]

log = logging.getLogger(__name__)


def assign_story(index: StoryIndex, article: Any) -> Assignment:
    """Never raises: a bug on one record gives that article a story of its own and a log line."""
    try:
        return index.assign(article)
    except Exception as exc:  # a stream must not stop on one record
        aid = str(article.get("id") if isinstance(article, dict) else getattr(article, "id", ""))
        log.exception("story stage failed on article %s", aid)
        return Assignment(aid, None, 0.0, None, True, reason=f"internal_error: {type(exc).__name__}", article_id=aid)


def with_story(record_json: bytes, story: Assignment) -> bytes:
    """Append the ``story`` field to a serialised JSON object without re-parsing it."""
    if not record_json.endswith(b"}"):
        raise ValueError("not a JSON object")
    sep = b"," if record_json != b"{}" else b""
    return record_json[:-1] + sep + b'"story":' + orjson.dumps(story.to_dict()) + b"}"
