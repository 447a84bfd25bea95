"""From cleaned text and title to merged entities (the body of :func:`enrich`)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from itertools import chain

from ..records import Entity
from .clitics import name_key
from .clubs import is_sports
from .merge import Found, merge
from .model import Model, load_model
from .normalize import norm, skeleton
from .recognize import recognize_tokens
from .spans import Span
from .tokenize import Sentence, split_sentences

log = logging.getLogger(__name__)

MAX_CHARS = 200_000  # longer inputs are cut for entity recognition (offsets stay valid)


def _is_arabic_sentence(toks: list[str]) -> bool:
    n_ar = 0
    n_lat = 0
    for t in toks:
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


def _fields(title: str | None, text: str) -> list[tuple[str, str, int, list[Sentence], list[bool]]]:
    """(field, source, order offset, sentences, is-Arabic flags) for the title and the text."""
    out = []
    for field, source, order0 in (("title", title or "", 0), ("text", text or "", len(title or "") + 1)):
        if source:
            sents = split_sentences(source[:MAX_CHARS])
            out.append((field, source, order0, sents, [_is_arabic_sentence(s.tokens) for s in sents]))
    return out


def _conjunction_before_name(model: Model, tok: str) -> bool:
    """Is the initial و of a person's first token the conjunction (``وبدر``, ``وجوش``), not part
    of the name (``وليد``, ``وائل``)? Yes when the whole token is no given name and the rest is one,
    or is a more frequent word than the whole."""
    if len(tok) < 3 or tok[0] != "و":
        return False
    types = model.gaz.token_types_frozen
    whole, rest = model.gaz.key_inner(tok), model.gaz.key_inner(tok[1:])
    if "GIVEN" in types.get(whole, ()):
        return False
    if "GIVEN" in types.get(rest, ()):
        return True
    freq = model.featurizer.freq
    return freq.get(norm(tok[1:]), 0) > freq.get(norm(tok), 0)


def _spelled_whole(model: Model, toks: list[str], s: Span, skip: int) -> bool:
    """Does the span's gazetteer entry list the tokens as they stand, initial letter included,
    where the lexicon sees no clitic either (وجدة is و + جدة first, Oujda second), and not only
    because the skeleton merges a doubled letter (وواشنطن)?"""
    g = model.gaz
    first = toks[s.i]
    return (g.key_first(first) == g.key_inner(first) != g.key_inner(first[skip:])
            and g.phrases.get(tuple(g.key_inner(t) for t in toks[s.i:s.j])) is s.entry)


def find_mentions(model: Model, source: str, field: str, sents: list[Sentence], arabic: list[bool],
                  tagged: list | None, order0: int, sports: Callable[[], bool] | None = None) -> list[Found]:
    """Mentions in one field, given its sentences and (when the model runs) their tags;
    ``sports()``: is the article a sports article (bare club names are clubs)."""
    out: list[Found] = []
    for k, sent in enumerate(sents):
        toks = sent.tokens
        spans: list[Span]
        if arabic[k]:
            spans = recognize_tokens(model, toks, use_model=tagged is not None, tagged=tagged[k] if tagged else None,
                                     sports=sports)
        else:
            spans = [Span(i, j, e.type, e, "gazetteer") for i, j, e in model.gaz.match_latin(toks) if not e.weak]
        for s in spans:
            first_tok, start = toks[s.i], sent.starts[s.i]
            skip = model.mention_start(first_tok) if "\u0600" <= first_tok[0] <= "\u06ff" else 0
            if not skip and s.type == "PER" and s.j - s.i >= 2 and _conjunction_before_name(model, first_tok):
                skip = 1  # وجوش بارسونز: the و is the conjunction
            elif skip and model.featurizer.freq.get(norm(first_tok), 0) > model.featurizer.freq.get(
                    norm(first_tok[skip:]), 0):
                skip = 0  # كاليفورنيا is a word, اليفورنيا is none: the ك is the name's
            if skip and (s.source == "rule:quoted" or s.entry is not None and _spelled_whole(model, toks, s, skip)):
                skip = 0  # لخويا, a club's own name, or a quoted name ("كفى"): no preposition
            start += skip
            end = sent.ends[s.j - 1]
            text = source[start:end]
            if not text.strip():
                continue
            out.append(Found(field, start, end, text, s.type, _mention_key(model, text), s.entry, order0 + start,
                             s.source))
    return out


# Not entities for a reader of the news (the dev set's guide), though ANERcorp tags some of them:
# currencies, God and the Quran in formulae, weekdays and months. Dropped from articles only
# (``ner eval`` on ANERcorp scores the recogniser with ANERcorp's conventions).
_NOT_NAMES = frozenset(" ".join(name_key(w)) for w in (
    "الله", "القرآن", "القران", "دولار", "الدولار", "يورو", "اليورو", "ريال", "الريال", "جنيه", "الجنيه",
    "درهم", "الدرهم", "دينار", "الدينار", "روبل", "الروبل", "ليرة", "الليرة", "ين", "الين", "كورونا",
    "السبت", "الأحد", "الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "يناير", "فبراير", "مارس",
    "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر", "محرم", "صفر",
    "ربيع", "جمادى", "رجب", "شعبان", "رمضان", "شوال", "ذو القعدة", "ذو الحجة", "الإسلام",
    # currencies in the accusative, as counted (``مليون دولارًا``: the tanween is dropped, the alef stays)
    "دولارا", "ريالا", "دينارا", "درهما", "جنيها", "روبلا"))


def _field_mentions(model: Model, field: str, source: str, parts: list[tuple[str | None, str]],
                    order0: int) -> list[Found]:
    """Mentions of a dateline or byline: each (part, type) found in ``source`` (the dateline's
    place and agency, the byline's authors), linked through the gazetteer."""
    out: list[Found] = []
    for part, typ in parts:
        part = (part or "").strip(" :،,-–")
        if not part:
            continue
        start = source.find(part)
        if start < 0:
            continue
        end = start + len(part)
        entry = model.gaz.lookup(part)
        if entry is not None and entry.type != typ and typ != "PER":
            entry = None
        src = "gazetteer" if entry is not None else "rule:" + field
        out.append(Found(field, start, end, part, typ, _mention_key(model, part), entry, order0 + start, src))
    return out


def _head_fields(model: Model, dateline, byline: str | None, authors: list[str], order0: int) -> list[Found]:
    found: list[Found] = []
    if byline:
        found += _field_mentions(model, "byline", byline, [(a, "PER") for a in authors or ()], order0)
        order0 += len(byline) + 1
    if dateline is not None and dateline.text:
        in_byline = {a.strip() for a in authors or ()}
        parts = [(dateline.place, "LOC"), (dateline.agency, "ORG")]
        found += [f for f in _field_mentions(model, "dateline", dateline.text, parts, order0) if f.text not in in_byline]
    return found


def _in_article_context(found: list[Found], model: Model) -> None:
    """Disambiguate places by the article's other places: a GeoNames name shared by several
    places takes the one in a country the article's strong places are in (else the most
    populous, the gazetteer's default)."""
    alts = model.gaz.place_alternatives
    countries = {f.entry.country for f in found if f.entry is not None and f.entry.country and not f.entry.weak
                 and f.key not in alts}  # the unambiguous places
    if not countries:
        return
    for f in found:
        e = f.entry
        if e is not None and e.country and e.country not in countries:
            for alt in alts.get(f.key, ()):
                if alt.country in countries:
                    f.entry = alt
                    break


class _Once:
    """``fn()``, computed at the first call only (the article's sports test, asked only when a
    sentence names a club; a plain object: ``functools.cache`` costs more to make per article
    than the test itself)."""

    __slots__ = ("fn", "value")

    def __init__(self, fn: Callable[[], bool]) -> None:
        self.fn: Callable[[], bool] | None = fn
        self.value = False

    def __call__(self) -> bool:
        if self.fn is not None:
            self.value = self.fn()
            self.fn = None
        return self.value


def extract(text: str, title: str | None, language: str | None = None, model: Model | None = None, *,
            dateline=None, byline: str | None = None, authors: list[str] | None = None) -> list[Entity]:
    """Entities of one article: its title and text, and the dateline's place and agency and the
    byline's authors that the cleaner took out of the text (``field`` ``dateline``/``byline``)."""
    return merge(find_all(text, title, language, model, dateline=dateline, byline=byline, authors=authors))


def find_all(text: str, title: str | None, language: str | None = None, model: Model | None = None, *,
             dateline=None, byline: str | None = None, authors: list[str] | None = None) -> list[Found]:
    """Every mention of the article before merging (each says where it came from: ``source``)."""
    m = model or load_model()
    lang = (language or "").lower()
    arabic_model = lang not in ("en", "fr")  # Arabic-script sentences in en/fr articles: gazetteer only
    fields = _fields(title, text)
    tagged: list | None = None
    if arabic_model:  # the title and text are one document: all their Arabic sentences in one batch
        tagged = m.tag_many([s.tokens if a else [] for _, _, _, sents, ar in fields for s, a in zip(sents, ar)])
    found: list[Found] = []
    o = 0
    sports = _Once(lambda: is_sports(chain.from_iterable(s.tokens for *_, sents, _ in fields for s in sents))) \
        if arabic_model else None
    for field, source, order0, sents, ar in fields:
        found += find_mentions(m, source, field, sents, ar, tagged[o:o + len(sents)] if tagged is not None else None,
                               order0, sports)
        o += len(sents)
    found = [f for f in found if " ".join(f.key) not in _NOT_NAMES]
    found += _head_fields(m, dateline, byline, authors or [], len(title or "") + len(text or "") + 2)
    _in_article_context(found, m)
    return found
