"""The tagger's per-token cache: for every distinct token met recently, a *slot* holding its
weight vectors (in the scorer's slot arrays) and its keys (gazetteer keys, document key).

Two generations of at most ``TOKEN_CACHE_MAX`` tokens each, in the two halves of one slot
table: when the current generation could overflow, it becomes the old one (the previous old one
is dropped) and a token met again is copied back into the current one. Frequent words stay
cached forever, rare ones go, and memory is bounded on an endless stream. A new generation only
starts *between* articles: slots handed out earlier in an article must stay valid until it is
scored. (The smaller look-up caches use :class:`cache.BoundedCache`; this one is different
because its slots index numpy arrays that a whole article is scored from.)
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from .features import Featurizer, TokenRows, doc_key

TOKEN_CACHE_MAX = 65_536  # tokens per generation (two generations): ~0.9 KB each (5 x 18 float64 + keys)


class SlotVectors(Protocol):
    """Per-slot arrays kept by the scorer (``model._Scorer``)."""

    def reset(self, n: int) -> None: ...
    def fill(self, slots: list[int], infos: list[TokenRows]) -> None: ...
    def copy(self, src: list[int], dst: list[int]) -> None: ...


class TokenCache:
    def __init__(self, featurizer: Featurizer, vectors: SlotVectors) -> None:
        self.featurizer = featurizer
        self.vectors = vectors
        self.reset()

    def reset(self, cap: int | None = None) -> None:
        """Empty both generations; room for ``cap`` tokens per generation (default: the bound)."""
        self.bound = TOKEN_CACHE_MAX
        cap = max(1, cap or self.bound)
        self.cap = cap
        self.slots: dict[str, int] = {}  # current generation: token -> slot
        self.old_slots: dict[str, int] = {}  # previous generation
        self.base = 0  # first slot of the current generation's half
        self.key_first: list[str] = [""] * (2 * cap)  # per slot
        self.key_inner: list[str] = [""] * (2 * cap)
        self.doc_keys: list[str | None] = [None] * (2 * cap)
        # per slot: the number of its doc_key (the same for the same key within a generation), or -1
        self.doc_key_number = np.full(2 * cap, -1, dtype=np.int64)
        self.doc_key_numbers: dict[str, int] = {}  # the current generation's doc_key -> number
        self.next_doc_key_number = 0
        # per slot: may a gazetteer phrase start at the token (its first or inner key starts one)
        self.may_start = np.zeros(2 * cap, dtype=bool)
        self.first_keys = self.featurizer.gaz.first_keys()
        self.vectors.reset(2 * cap)

    def make_room(self, n_tokens: int) -> None:
        """Start a new generation when an article of ``n_tokens`` could overflow the current one
        (call between articles only)."""
        if self.bound != TOKEN_CACHE_MAX or self.featurizer.gaz.first_keys() is not self.first_keys:
            self.reset()  # the bound was changed (tests), or the gazetteer's phrases (may_start)
        if len(self.slots) + n_tokens <= self.cap:
            return
        if n_tokens > self.cap or self.cap != self.bound:  # a huge article; or back to the bound after one
            self.reset(max(self.bound, n_tokens))
            return
        self.old_slots = self.slots
        self.doc_key_numbers = {}
        self.slots = {}
        self.base = self.cap - self.base

    def assign(self, tokens: list[str]) -> list[int]:
        """The slots of ``tokens``, filled (new tokens computed, old-generation ones copied)."""
        new: list[tuple[str, int]] = []
        moved: list[tuple[int, int]] = []
        slots = self._slots(tokens, new, moved)
        self._fill(new, moved)
        return slots

    def _slots(self, tokens: list[str], new: list, moved: list) -> list[int]:
        """Slots of ``tokens``; tokens seen for the first time go to ``new`` (token, slot),
        tokens of the old generation to ``moved`` (old slot, slot)."""
        slots = self.slots
        out = list(map(slots.get, tokens))
        if None in out:
            old = self.old_slots
            i = -1
            index = out.index
            try:
                while True:
                    i = index(None, i + 1)
                    t = tokens[i]
                    k = slots.get(t)  # the same new token earlier in the document
                    if k is None:
                        k = slots[t] = self.base + len(slots)
                        j = old.get(t)
                        if j is None:
                            new.append((t, k))
                        else:
                            moved.append((j, k))
                    out[i] = k
            except ValueError:  # no None left
                pass
        return out

    def _fill(self, new: list, moved: list) -> None:
        """Weights and keys of the new and moved slots of a document. Doc keys are numbered
        through the current generation's map: a moved token keeps its number unless its key was
        numbered again first, so within a generation one key has one number."""
        key_first, key_inner, doc_keys = self.key_first, self.key_inner, self.doc_keys
        number, numbers = self.doc_key_number, self.doc_key_numbers
        if moved:
            src, dst = [j for j, _ in moved], [k for _, k in moved]
            self.vectors.copy(src, dst)
            self.may_start[dst] = self.may_start[src]
            for j, k in moved:
                key_first[k] = key_first[j]
                key_inner[k] = key_inner[j]
                key = doc_keys[k] = doc_keys[j]
                if key is not None:
                    n = numbers.get(key)
                    number[k] = numbers[key] = number[j] if n is None else n
                else:
                    number[k] = -1
        if new:
            compute = self.featurizer.rows
            infos = [compute(t) for t, _ in new]
            ks = [k for _, k in new]
            self.vectors.fill(ks, infos)
            fk = self.first_keys
            self.may_start[ks] = [inf.key_first in fk or inf.key_inner in fk for inf in infos]
            for (t, k), inf in zip(new, infos):
                key_first[k] = inf.key_first
                key_inner[k] = inf.key_inner
                key = doc_keys[k] = doc_key(t, inf)
                if key is not None:
                    n = numbers.get(key)
                    if n is None:
                        n = numbers[key] = self.next_doc_key_number
                        self.next_doc_key_number += 1
                    number[k] = n
                else:
                    number[k] = -1
