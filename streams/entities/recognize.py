"""Hybrid recognition over one sentence of tokens: the CRF proposes, rules and gazetteers dispose.

1. CRF spans (seqeval chunking of its BIO labels).
2. Spans made only of nationality adjectives (``الأمريكي``, ``العراقية``) are dropped.
3. Strong gazetteer phrases the CRF missed are added; a gazetteer phrase that strictly covers
   the CRF spans it overlaps replaces them (``حلف`` + ``شمال الأطلسي`` -> one ORG).
4. Every span is linked to a gazetteer entry with the same key when there is one; a curated
   entry's type wins over the CRF's (``الأناضول`` is the agency, ORG).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from . import clubs, rules
from .bio import get_entities
from .gazetteer import GazEntry
from .spans import Span
from .normalize import norm
from .places import strong_zipf_limit

OVERRIDE_TYPE = True
_GENERIC_ADJ = rules.GENERIC_ADJ


def _is_demonym_span(model, tokens: list[str], i: int, j: int, *, proposed: bool = False) -> bool:
    """``proposed``: the span comes from the model, which may keep a single token that is also
    a (weak) country name: ``سورية`` is Syria as often as "Syrian"."""
    types = model.gaz.token_types_frozen
    keys = model.token_keys
    if j - i == 1:  # السعودية / سورية: a country name that looks like a feminine adjective
        kf, ki = keys(tokens[i])
        e = model.gaz.phrases.get((ki,)) or model.gaz.phrases.get((kf,))
        if e is not None and (not e.weak or (proposed and e.type == "LOC")):
            return False
    for k in range(i, j):
        kf = keys(tokens[k])[0]
        if "NAT" not in types.get(kf, ()):
            return False
    return True


def _common_here(model, tokens: list[str], i: int, j: int, e: GazEntry) -> bool:
    """A one-word GeoNames place whose surface here is a frequent word (شفاء for Ash Shafā,
    فوجئ for Fuji): a place only when the model proposes it."""
    if j - i != 1:
        return False
    w = norm(tokens[i])
    freq = model.featurizer.freq
    return max(freq.get(w, 0), freq.get(w[1:], 0) if w[:1] in "وفبلك" else 0) > strong_zipf_limit(e.country, e.population)


def _is_known(model, tokens: list[str], s: Span) -> bool:
    g = model.gaz
    inner = tuple(map(g.key_inner, tokens[s.i:s.j]))
    e = g.phrases.get((g.key_first(tokens[s.i]), *inner[1:])) or g.phrases.get(inner)
    return e is not None and not e.weak


def _is_word(tok: str) -> bool:
    return tok[:1].isalnum() or any(ch.isalnum() for ch in tok)


def _trim(model, tokens: list[str], s: Span) -> Span | None:
    """Drop punctuation at the edges of a span, and a trailing nationality adjective when the
    rest is a known name (``فيلق القدس الإيراني`` -> ``فيلق القدس``)."""
    while s.i < s.j and not _is_word(tokens[s.i]):
        s.i += 1
    while s.j > s.i and not _is_word(tokens[s.j - 1]):
        s.j -= 1
    if s.j <= s.i:
        return None
    if (s.j - s.i >= 2 and _is_demonym_span(model, tokens, s.j - 1, s.j)
            and model.token_keys(tokens[s.j - 1])[1] not in _GENERIC_ADJ):
        g = model.gaz
        key = tuple(g.key_inner(tokens[k]) for k in range(s.i, s.j - 1))
        e = g.phrases.get(key)
        if e is not None and not e.weak:
            s.j -= 1
            s.entry = e
    return s


def recognize_tokens(model, tokens: list[str], *, use_model: bool = True, tagged: tuple | None = None,
                     news_rules: bool = True, sports: Callable[[], bool] | None = None) -> list[Span]:
    """Spans for one sentence; ``tagged`` is ``model.tag(tokens)`` when the caller has already
    tagged the sentence (batched per article). ``news_rules``: apply :mod:`rules` (the news
    conventions: trigger-headed organisations whole, places after their trigger...); ANERcorp's
    annotation follows other conventions (trigger words outside names, ministries unmarked).
    ``sports()``: is the sentence's article a sports article (:func:`clubs.is_sports`; asked only
    when the sentence names a club): bare club names are clubs there."""
    if not tokens:
        return []
    if use_model:
        labels, gaz = tagged if tagged is not None else model.tag(tokens)
        spans = [Span(s, e, t) for t, s, e in get_entities(labels)] if labels.count("O") < len(labels) else []
    else:
        keys = [model.token_keys(t) for t in tokens]
        gaz = model.gaz.match_keys([k[0] for k in keys], [k[1] for k in keys])
        spans = []
    spans = [s for s in spans if not _is_demonym_span(model, tokens, s.i, s.j, proposed=True)]
    exact = {(i, j): e for i, j, e in gaz}
    for i, j, e in gaz:
        if e.weak or _is_demonym_span(model, tokens, i, j) or (e.source == "geonames" and _common_here(model, tokens, i, j, e)):
            continue
        over = [s for s in spans if s.i < j and i < s.j]
        if not over:
            spans.append(Span(i, j, e.type, e, "gazetteer"))
        elif (all(i <= s.i and s.j <= j for s in over) and any((s.i, s.j) != (i, j) for s in over)
              and not (len(over) == 1 and _is_known(model, tokens, over[0]))):
            # a phrase that joins fragments (حلف + شمال الأطلسي) replaces them; one that only
            # extends a span that is itself a known name (مكة -> مكة المكرمة) does not
            for s in over:
                spans.remove(s)
            spans.append(Span(i, j, e.type, e, "gazetteer"))
    spans = [s for s in (_trim(model, tokens, s) for s in spans) if s is not None]
    if news_rules:
        spans = rules.apply(model, tokens, spans, gaz)
        if sports is not None and clubs.names_club(tokens) and sports():
            spans = clubs.apply(model, tokens, spans, functools.partial(rules.is_nationality, model))
    else:
        spans.sort(key=lambda s: s.i)
    g = model.gaz
    for s in spans:
        if s.entry is None:
            e = exact.get((s.i, s.j))
            if e is None and s.j - s.i <= 7:
                e = g.phrases.get((g.key_first(tokens[s.i]), *map(g.key_inner, tokens[s.i + 1:s.j])))
            s.entry = e
        if s.entry is not None and OVERRIDE_TYPE and s.entry.type != s.type and not s.entry.weak:
            s.type = s.entry.type
    return spans
