"""The story stage's metrics, in the worker's registry (no story ids or names as labels)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

from ..service import metrics as m

STORIES_OPENED = Counter("news_stories_opened", "Stories opened (articles that start a story).",
                         registry=m.REGISTRY)
STORIES_JOINED = Counter("news_stories_joined", "Articles joined to an existing story.", registry=m.REGISTRY)
NEAR_COPIES = Counter("news_stories_near_copies", "Articles that are near copies of an earlier article.",
                      registry=m.REGISTRY)
OWN_STORY = Counter("news_stories_unindexed", "Articles given a story of their own without comparison, by reason "
                    "(empty_text, no_published_at, published_at_in_future, published_at_too_old, late, "
                    "internal_error).", ["reason"], registry=m.REGISTRY)
STATE = Gauge("news_stories_state_entries", "Entries in the story stage's tables, by table.", ["table"],
              registry=m.REGISTRY)
STAGE_SECONDS = Histogram("news_stories_seconds", "Time to assign one article to a story.",
                          buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 1), registry=m.REGISTRY)
