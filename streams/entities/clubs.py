"""Football clubs named by their bare name (``النصر``, ``الهلال``, ``الاتحاد``) in sports articles.

Arabic sports pages name a club by its bare name far more often than with ``نادي``; most of
those names are common words ("victory", "crescent", "union", "youth"), so they are in no
gazetteer on their own (``data/organizations.tsv``, section 7) and the CRF, trained on 2007
newswire, seldom tags them. The article decides: in a **sports article** (at least
:data:`MIN_CUES` distinct sports words: match, league, player, coach, goal, stadium, team...),
the bare name of a listed club (every ``نادي X`` / ``النادي X`` alias of a club row, X one word)
is the club (ORG, linked to the row when the name is unambiguous), unless

* it is inside a longer name (``الهلال الأحمر``, ``كأس الخليج``, ``الاتحاد الآسيوي``),
* a nationality adjective follows (``الاتحاد السعودي`` is the federation, another name), or
* it is also a strong place name (``الرياض``, ``العين``, ``برشلونة``): the city keeps its reading.

Outside sports articles nothing changes, so ``حقق النصر`` in a political story stays a word.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from itertools import compress, count

from .data import read_table, variants
from .spans import Span

MIN_CUES = 3
_CUES = ("مباراة", "مباريات", "دوري", "لاعب", "لاعبين", "لاعبي", "مدرب", "هدف", "أهداف", "ملعب", "فريق",
         "منتخب", "نادي", "أندية", "موسم", "بطولة", "كأس", "شوط", "ركلة", "حارس", "مهاجم", "جولة", "تعادل",
         "هدفين", "مرمى", "الفني", "انتقالات", "التعاقد", "كرة")
_HEADS = ("نادي ", "النادي ")


def _surfaces(word: str) -> set[str]:
    """Raw surface forms of one word with its proclitics, article and spelling variants
    (``والنصر``, ``للنصر``, ``بالمباراة``): a set look-up per raw token, no normalisation."""
    from .rules import _raw_forms

    return _raw_forms([word])


def _name_surfaces(name: str) -> set[str]:
    """Surface forms of a club's bare name: with its article when it has one (``النصر``,
    ``والنصر``, ``للنصر``; never ``نصر``), in the usual spelling variants."""
    stem = name[2:] if name.startswith("ال") else name
    stems = {stem, stem.replace("ة", "ه"), stem.replace("ى", "ي")}
    if stem[:1] in "أإا":
        stems |= {c + x[1:] for x in set(stems) for c in "أإا"}
    if name.startswith("ال"):
        return {p + "ال" + x for x in stems for p in ("", "و", "ف", "ب", "ك", "وب", "فب", "وك")} | {
            p + "ل" + x for x in stems for p in ("ل", "ول", "فل")}
    return {p + x for x in stems for p in ("", "و", "ف", "ب", "ك", "ل", "ول", "فل")}


@functools.lru_cache(maxsize=1)
def cue_forms() -> dict[str, int]:
    """Surface form of a sports word -> which word it is (distinct words are counted)."""
    out: dict[str, int] = {}
    for k, w in enumerate(_CUES):
        for f in _surfaces(w):
            out.setdefault(f, k)
    return out


@functools.lru_cache(maxsize=1)
def bare_names() -> dict[str, str]:
    """Surface form of a club's bare name -> the bare name (``والنصر`` -> ``النصر``)."""
    out: dict[str, str] = {}
    for row in read_table("organizations.tsv"):
        if len(row) < 6 or not row[5].strip().startswith("clubs:"):
            continue
        for alias in variants(row[3]):
            for head in _HEADS:
                bare = alias[len(head):].strip() if alias.startswith(head) else ""
                if bare and " " not in bare:
                    out.update((f, bare) for f in _name_surfaces(bare))
    return out


def names_club(tokens: list[str]) -> bool:
    """Does the sentence hold a listed club's bare name (a set test at C speed)?"""
    return not bare_names().keys().isdisjoint(tokens)


def is_sports(tokens: Iterable[str]) -> bool:
    """Does the article (all its tokens) read as a sports article?"""
    cues = cue_forms()
    hits = set(filter(cues.__contains__, tokens))  # (``cues.keys() & ...`` would copy the keys)
    return len({cues[w] for w in hits}) >= MIN_CUES


@functools.lru_cache(maxsize=4096)
def _club_entries(gaz, bare: str) -> tuple[bool, object]:
    """(is the bare name a strong place, the club's gazetteer entry or None) for one gazetteer."""
    place = gaz.lookup(bare)
    entry = gaz.lookup("نادي " + bare)
    return (place is not None and place.type == "LOC" and not place.weak,
            entry if entry is not None and entry.type == "ORG" else None)


def apply(model, tokens: list[str], spans: list[Span], nat) -> list[Span]:
    """Bare club names of one sentence of a sports article as ORG spans (see the module doc);
    ``nat(token)``: is the token a nationality adjective."""
    names = bare_names()
    for k in list(compress(count(), map(names.__contains__, tokens))):
        if k + 1 < len(tokens) and nat(tokens[k + 1]):
            continue
        place, entry = _club_entries(model.gaz, names[tokens[k]])
        if place:
            continue
        over = [s for s in spans if s.i <= k < s.j]
        if any(s.j - s.i > 1 for s in over):
            continue
        for s in over:
            spans.remove(s)
        spans.append(Span(k, k + 1, "ORG", entry, "rule:club"))
    spans.sort(key=lambda s: s.i)
    return spans
