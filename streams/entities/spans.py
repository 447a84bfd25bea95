"""A span of tokens with a type: what recognition proposes and the rules reshape."""

from __future__ import annotations

from dataclasses import dataclass

from .gazetteer import GazEntry


@dataclass(slots=True)
class Span:
    """Tokens ``[i, j)`` of a sentence; ``entry``: the gazetteer entry it is linked to;
    ``source``: who proposed it (``model``, ``gazetteer``, ``rule:...``)."""

    i: int
    j: int
    type: str
    entry: GazEntry | None = None
    source: str = "model"
