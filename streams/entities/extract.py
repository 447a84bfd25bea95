"""From cleaned text and title to merged entities (the body of :func:`enrich`)."""

from __future__ import annotations

import logging

from ..records import Entity
from .merge import Found, merge
from .model import Model, load_model
from .normalize import skeleton
from .recognize import Span, recognize_tokens
from .tokenize import sentences

log = logging.getLogger(__name__)

MAX_CHARS = 200_000  # longer inputs are cut for entity recognition (offsets stay valid)


def _is_arabic_sentence(toks: list[tuple[str, int, int]]) -> bool:
    n_ar = 0
    n_lat = 0
    for t, _, _ in toks:
        c = t[0]
        if "\u0600" <= c <= "\u06ff" or "\u0750" <= c <= "\u077f":
            n_ar += 1
        elif c.isalpha():
            n_lat += 1
    return n_ar > 0 and n_ar >= n_lat


def _mention_key(model: Model, text: str) -> tuple[str, ...]:
    toks = text.split()
    if not toks:
        return (skeleton(text),)
    g = model.gaz
    key = tuple(g.key_inner(t) for t in toks)
    if key[0] == "" or not any(key):
        return (skeleton(text),)
    return key


def _fields(title: str | None, text: str) -> list[tuple[str, str, int, list, list[bool]]]:
    """(field, source, order offset, sentences, is-Arabic flags) for the title and the text."""
    out = []
    for field, source, order0 in (("title", title or "", 0), ("text", text or "", len(title or "") + 1)):
        if source:
            sents = sentences(source[:MAX_CHARS])
            out.append((field, source, order0, sents, [_is_arabic_sentence(s) for s in sents]))
    return out


def find_mentions(model: Model, source: str, field: str, sents: list, arabic: list[bool], tagged: list | None,
                  order0: int) -> list[Found]:
    """Mentions in one field, given its sentences and (when the model runs) their tags."""
    out: list[Found] = []
    for k, sent in enumerate(sents):
        toks = [t for t, _, _ in sent]
        spans: list[Span]
        if arabic[k]:
            spans = recognize_tokens(model, toks, use_model=tagged is not None, tagged=tagged[k] if tagged else None)
        else:
            spans = [Span(i, j, e.type, e, "gazetteer") for i, j, e in model.gaz.match_latin(toks) if not e.weak]
        for s in spans:
            first_tok, start, _ = sent[s.i]
            skip = model.mention_start(first_tok) if "\u0600" <= first_tok[0] <= "\u06ff" else 0
            start += skip
            end = sent[s.j - 1][2]
            text = source[start:end]
            if not text.strip():
                continue
            out.append(Found(field, start, end, text, s.type, _mention_key(model, text), s.entry, order0 + start))
    return out


def extract(text: str, title: str | None, language: str | None = None, model: Model | None = None) -> list[Entity]:
    m = model or load_model()
    lang = (language or "").lower()
    arabic_model = lang not in ("en", "fr")  # Arabic-script sentences in en/fr articles: gazetteer only
    fields = _fields(title, text)
    tagged: list | None = None
    if arabic_model:  # the title and text are one document: all their Arabic sentences in one batch
        tagged = m.tag_many([[t for t, _, _ in s] if a else [] for _, _, _, sents, ar in fields
                             for s, a in zip(sents, ar)])
    found: list[Found] = []
    o = 0
    for field, source, order0, sents, ar in fields:
        found += find_mentions(m, source, field, sents, ar, tagged[o:o + len(sents)] if tagged is not None else None,
                               order0)
        o += len(sents)
    return merge(found)
