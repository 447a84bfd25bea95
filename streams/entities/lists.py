"""Enumerated places: the members of a list announced by a plural place noun are places.

Local news names villages, districts and governorates in lists (``القرى التي تعاني ... هي:
العرداية وثويليل وبدائع الصفراء ...``, ``في مدن الرياض وجدة والدمام``); most of the members are in
no gazetteer (villages below GeoNames' population floor), and the CRF, trained on 2007
newswire, rarely tags a lone unknown word. The plural noun says what the members are:

* **announced list**: a plural place noun (``قرى``, ``مدن``, ``محافظات``, ``أحياء``, ``هجر``,
  ``بلدات``, ``مراكز`` ...), then within a few words a colon: every member of the و-coordinated
  list after the colon (at least three) is a place;
* **direct list**: the plural noun followed at once by the members (``مدن الرياض وجدة والدمام``):
  taken only when more than half of the members are already places (model or gazetteer), so
  ``مدن المملكة ومحافظاتها`` stays a description.

A member is one to three words; a new member starts at a word with the conjunction و; the list
ends at punctuation, a function word, or the end of the sentence. A member already recognised as
a known organisation or person (a strong gazetteer name) is left alone.
"""

from __future__ import annotations

from itertools import compress, count

from .normalize import norm, skeleton
from .spans import Span

_PLURALS = ("قرى", "مدن", "محافظات", "أحياء", "احياء", "هجر", "بلدات", "مراكز", "مناطق", "ولايات", "أقاليم",
            "مدينتي", "محافظتي", "قريتي", "بلدتي", "منطقتي", "مخيمات", "جزر")
PLURALS = frozenset(skeleton(norm(w)) for w in _PLURALS)
MAX_MEMBER = 3
MAX_GAP = 8  # words between the plural noun and the colon (التي تعاني من الانقطاع المتكرر هي :)


def _members(tokens: list[str], start: int, stop: frozenset[str], words) -> list[tuple[int, int]]:
    """The و-coordinated members from ``start`` to the end of the list."""
    out: list[tuple[int, int]] = []
    a = start
    k = start
    n = len(tokens)
    while k < n:
        tok = tokens[k]
        if not tok[:1].isalpha() or words(tok)[0] in stop or words(tok)[1] in stop:
            break
        if k > a and tok[:1] == "و" and len(tok) > 2:
            out.append((a, k))
            a = k
        if k - a >= MAX_MEMBER:
            return []  # not a list of names (a clause)
        k += 1
    if k > a:
        out.append((a, k))
    return out


def place_lists(model, tokens: list[str], spans: list[Span], gaz: list, words, stop: frozenset[str],
                raw_plurals) -> list[Span]:
    """Spans of one sentence with the members of announced place lists made LOC (see the module
    doc); ``words`` is :func:`rules._words` of the model, ``stop`` the function words,
    ``raw_plurals()`` the surface forms of the plural nouns."""
    n = len(tokens)
    raw = raw_plurals()
    for k in [k for k in compress(count(), map(raw.__contains__, tokens)) if k < n - 1]:
        if words(tokens[k])[0] not in PLURALS:
            continue
        colon = next((c for c in range(k + 1, min(n, k + 2 + MAX_GAP)) if tokens[c] in (":", "：")), None)
        members = _members(tokens, (colon if colon is not None else k) + 1, stop, words)
        if colon is not None:
            if len(members) < 3:
                continue
        else:
            if len(members) < 2:
                continue
            loc = {(i, j) for i, j, e in gaz if e.type == "LOC"} | {(s.i, s.j) for s in spans if s.type == "LOC"}
            known = sum(any(a <= i and j <= b for i, j in loc) for a, b in members)
            if 2 * known <= len(members):
                continue
        for a, b in members:
            over = [s for s in spans if s.i < b and a < s.j]
            if any(s.type != "LOC" and s.entry is not None and not s.entry.weak for s in over):
                continue
            if any((s.i, s.j) == (a, b) and s.type == "LOC" for s in over):
                continue
            for s in over:
                spans.remove(s)
            entry = next((e for i, j, e in gaz if (i, j) == (a, b) and e.type == "LOC"), None)
            spans.append(Span(a, b, "LOC", entry, "rule:place-list"))
    return spans
