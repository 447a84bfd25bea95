"""One bounded cache for the per-token look-ups of the tagger (keys, features, mention starts,
pooled document features).

A plain ``dict`` that empties itself when it reaches ``maxsize``: look-ups stay the C-speed
``dict.get`` of the hot path (an LRU would cost a Python call per hit), memory is bounded on an
endless stream, and since every value is a pure function of its key, what the cache holds never
changes a result. (The per-token weight vectors, which must stay valid for a whole article, have
their own two-generation cache: :mod:`tokencache`.)
"""

from __future__ import annotations

from typing import TypeVar

K = TypeVar("K")
V = TypeVar("V")


class BoundedCache(dict[K, V]):
    """``get`` as a dict; ``put`` stores a value (emptying the cache first when it is full)."""

    __slots__ = ("maxsize",)

    def __init__(self, maxsize: int) -> None:
        super().__init__()
        self.maxsize = maxsize

    def put(self, key: K, value: V) -> V:
        if len(self) >= self.maxsize:
            self.clear()
        self[key] = value
        return value

    def make_room(self, n: int) -> None:
        """Empty the cache unless ``n`` more entries fit (before a batch whose values refer to
        each other, so none is dropped halfway through it)."""
        if len(self) + n > self.maxsize:
            self.clear()
