"""From cleaned text and title to merged entities (the body of :func:`enrich`)."""

from __future__ import annotations

import logging

from ..records import Entity
from .clitics import mention_start
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


def find_mentions(model: Model, source: str, field: str, *, arabic_model: bool, order0: int) -> list[Found]:
    out: list[Found] = []
    if not source:
        return out
    src = source[:MAX_CHARS]
    sents = sentences(src)
    arabic = [_is_arabic_sentence(s) for s in sents]
    tagged: list = []
    if arabic_model:  # tag every Arabic sentence of the field in one batch
        tagged = model.tag_many([[t for t, _, _ in s] if a else [] for s, a in zip(sents, arabic)])
    for k, sent in enumerate(sents):
        toks = [t for t, _, _ in sent]
        spans: list[Span]
        if arabic[k]:
            spans = recognize_tokens(model, toks, use_model=arabic_model, tagged=tagged[k] if arabic_model else None)
        else:
            spans = [Span(i, j, e.type, e, "gazetteer") for i, j, e in model.gaz.match_latin(toks) if not e.weak]
        for s in spans:
            first_tok, start, _ = sent[s.i]
            skip = mention_start(first_tok, model.lex) if "\u0600" <= first_tok[0] <= "\u06ff" else 0
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
    found: list[Found] = []
    if title:
        found += find_mentions(m, title, "title", arabic_model=arabic_model, order0=0)
    found += find_mentions(m, text or "", "text", arabic_model=arabic_model, order0=len(title or "") + 1)
    return merge(found)
