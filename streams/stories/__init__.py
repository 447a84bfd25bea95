"""Stories: near copies (``duplicate_of``) and same-event groups (``story.id``) in the stream.

Pure Python (no Kafka): :class:`StoryIndex` assigns each article, in arrival order, to a story;
the Faust stage and ``news-streams process`` both drive it.
"""

from .index import Assignment, StoryConfig, StoryIndex, compare, summary

__all__ = ["Assignment", "StoryConfig", "StoryIndex", "compare", "summary"]
