"""What the story stage keeps of an article: a bounded, JSON-friendly summary.

Three views, each answering a different question (after Miranda et al. 2018, who cluster
against several TF-IDF views plus time):

* ``sig``: MinHash of word 3-shingles of the whole body: *is this the same text?* (near copies,
  wire rewrites that keep sentences);
* ``terms``: the rarest words of the title and the lead, weighted by how rare they are in general
  Arabic (``wordfreq``'s list, shipped with the entities stage): *is this about the same thing?*
  (the same press release in other words, the same incident from another reporter);
* ``lead_numbers`` / ``numbers``: the figures an article reports. Templated reports (the daily
  market close, today's strike count) share almost every word and differ in exactly these, so a
  disagreement vetoes a merge.

Every view is capped, so a 1 MB article costs and weighs the same as a long one.
"""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

import numpy as np
import regex
import re

from . import minhash

_WORD = re.compile(r"\w+")  # stdlib re: ~2x faster than regex here; text_normalized has no diacritics
_NUMBER = regex.compile(r"(?<![\p{L}\p{N}.,])\d+(?:[.,]\d+)*")
#: Words of the body read as the "lead" (besides the title).
LEAD_WORDS = 60
#: Rare terms kept per article.
MAX_TERMS = 24
#: Figures kept per article (whole text) and per lead.
MAX_NUMBERS = 64
#: Words rarer than this weight (Zipf <= 2.5) in the title or in the lead's names are *anchors*:
#: the who/where that tells two templated reports apart.
ANCHOR_WEIGHT = 3.0
#: Names in the lead count as anchors unless very common in general Arabic (Zipf > 4).
NAME_WEIGHT = 2.0
MAX_ANCHORS = 32
#: Entity types that give no anchors: MISC (events, nationalities), and organisations, which recur
#: across unrelated events (a ministry's, a relief centre's or a club's daily news), so sharing one
#: says little about sharing the event; people and places do.
ANCHOR_SKIP = frozenset({"MISC", "ORG"})
LEAD_CHARS = 300
#: Saudi Arabia (Q851): named in most articles of the corpus, so it tells nothing apart.
HOME_COUNTRY = "Q851"
#: A word's weight: how far below this Zipf frequency it is (unknown words: Zipf 1).
_ZIPF_CEILING = 6.0
_MIN_LEN = 3


@dataclass(slots=True)
class Features:
    id: str
    published: float | None  # event time, epoch seconds
    sig: np.ndarray
    terms: dict[str, float]  # unit-normalised weights
    keys: list[str]  # the article's rarest terms, most rare first (candidate keys)
    numbers: frozenset[str]
    lead_numbers: frozenset[str]
    source: str | None = None
    title: str | None = None
    entities: list[str] = field(default_factory=list)
    anchors: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()  # Wikidata ids of foreign countries named in the lead
    empty: bool = False


def _zipf_table() -> dict[str, int]:
    from ..entities.freq import table

    return table()


_NORM_CACHE: dict[str, float] = {}


@functools.lru_cache(maxsize=1)
def _country_ids() -> frozenset[str]:
    """Wikidata ids of the countries in the entities stage's gazetteer (``countries.tsv``)."""
    from importlib import resources

    text = resources.files("streams.entities.data").joinpath("countries.tsv").read_text(encoding="utf-8")
    return frozenset(row.split("\t")[1] for row in text.splitlines()
                     if row and not row.startswith("#") and row.count("\t") >= 1)


def weight(word: str) -> float:
    """Rarity of a normalised word: 0 for function words, up to 5 for words unknown to wordfreq."""
    w = _NORM_CACHE.get(word)
    if w is None:
        z2 = _zipf_table().get(word, 2)
        w = max(0.0, _ZIPF_CEILING - z2 / 2.0)
        if len(_NORM_CACHE) < 500_000:
            _NORM_CACHE[word] = w
    return w


_PREFIXES = ("وال", "بال", "فال", "كال", "لل", "ال")


def stem(word: str) -> str:
    """Strip the article with a leading conjunction/preposition (وال، بال، فال، كال، لل، ال) when at
    least three letters remain. Light on purpose: single-letter clitics are often root letters."""
    for p in _PREFIXES:
        if word.startswith(p) and len(word) - len(p) >= 3:
            return word[len(p):]
    return word


_SW_CACHE: dict[str, tuple[str, float] | tuple[()]] = {}


def _stem_weight(word: str) -> tuple[str, float] | tuple[()]:
    """(stem, weight) of a lead word, or () for short words and figures; memoised."""
    try:
        return _SW_CACHE[word]
    except KeyError:
        pass
    out = () if len(word) < _MIN_LEN or word.isdigit() else (stem(word), weight(word))
    if len(_SW_CACHE) < 500_000:
        _SW_CACHE[word] = out
    return out


@functools.lru_cache(maxsize=1)
def _norm():
    from ..entities.normalize import norm

    return norm


def normalize_title(title: str | None) -> str:
    if not title:
        return ""
    return _norm()(title)


def numbers_of(text: str, limit: int = MAX_NUMBERS) -> frozenset[str]:
    """Figures with two or more digits (single digits are list numbering and counts of little weight)."""
    out: list[str] = []
    for m in _NUMBER.finditer(text):
        v = m.group().replace(",", ".").lstrip("0") or "0"
        if len(v.replace(".", "")) >= 2:
            out.append(v)
            if len(out) >= limit:
                break
    return frozenset(out)


_NAME_CACHE: dict[str, tuple[str, ...]] = {}


def _name_stems(name: str) -> tuple[str, ...]:
    """Stems of an entity name's words that are rare enough to be anchors; memoised."""
    out = _NAME_CACHE.get(name)
    if out is None:
        out = tuple(stem(w) for w in _WORD.findall(normalize_title(name)) if weight(w) >= NAME_WEIGHT)
        if len(_NAME_CACHE) < 200_000:
            _NAME_CACHE[name] = out
    return out


def _lead_terms(title: str, tokens: list[str]) -> list[tuple[str, float]]:
    """The rarest stems of the title and the lead, heaviest first (ties: alphabetical)."""
    words = _WORD.findall(title) + tokens[:LEAD_WORDS]
    sws = list(map(_SW_CACHE.get, words))  # one C-level pass over the cache
    if None in sws:
        sws = [_stem_weight(w) if sw is None else sw for w, sw in zip(words, sws)]
    weights: defaultdict[str, float] = defaultdict(float)
    for s, x in filter(None, sws):  # () = a word of no weight
        weights[s] += x
    return sorted(weights.items(), key=heaviest_first)[:MAX_TERMS]

def heaviest_first(kv: tuple[str, float]) -> tuple[float, str]:
    return -kv[1], kv[0]


def _entity_views(entities: Any) -> tuple[list[str], set[str], set[str]]:
    """Entity texts (first 16), anchor stems and foreign countries named in the title or lead."""
    ents: list[str] = []
    anchors: set[str] = set()
    countries: set[str] = set()
    known = _country_ids()
    for e in entities or ():
        ev = e if isinstance(e, dict) else {k: getattr(e, k, None)
                                            for k in ("text", "type", "in_title", "first_start", "id")}
        etext = ev.get("text")
        if not etext:
            continue
        if len(ents) < 16:
            ents.append(etext)
        if ev.get("type") not in ANCHOR_SKIP and (ev.get("in_title") or (ev.get("first_start") or 0) < LEAD_CHARS):
            if len(anchors) < MAX_ANCHORS:
                anchors.update(_name_stems(etext))
            eid = ev.get("id")
            if eid in known and eid != HOME_COUNTRY:
                countries.add(eid)
    return ents, anchors, countries


def extract(article: Any, published: float | None) -> Features:
    """Features of an enriched article (dataclass or dict with the ``enriched`` fields)."""
    get = article.get if isinstance(article, dict) else (lambda k, d=None: getattr(article, k, d))
    text: str = get("text_normalized") or ""
    raw_title = get("title")
    title = normalize_title(raw_title)
    tokens = _WORD.findall(text, endpos=min(len(text), minhash.MAX_TOKENS * 12))
    sig = minhash.signature(minhash.shingle_hashes(minhash.token_hashes(tokens)))
    top = _lead_terms(title, tokens)
    norm = math.sqrt(sum(v * v for _, v in top)) or 1.0
    terms = {k: v / norm for k, v in top if v > 0}
    ents, anchors, countries = _entity_views(get("entities"))
    lead_text = title + " " + " ".join(tokens[:LEAD_WORDS])
    return Features(
        id=str(get("id")), published=published, sig=sig, terms=terms,
        keys=[k for k, _ in top[:6]],
        numbers=numbers_of(text[: 200_000]), lead_numbers=numbers_of(lead_text),
        source=get("source"), title=(raw_title or None) and str(raw_title)[:300], entities=ents,
        anchors=frozenset(sorted(anchors)[:MAX_ANCHORS]), countries=frozenset(countries),
        empty=not tokens,
    )


def event_time(article: Any) -> float | None:
    """``published_at`` as epoch seconds (naive times are UTC), or None when absent/unparseable."""
    get = article.get if isinstance(article, dict) else (lambda k, d=None: getattr(article, k, d))
    value = get("published_at")
    if not value or not isinstance(value, str):
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


def terms_similarity(a: dict[str, float], b: dict[str, float]) -> float:
    """Cosine of two unit-normalised rare-term vectors."""
    if len(a) > len(b):
        a, b = b, a
    return sum([v * b[k] for k, v in a.items() if k in b])  # a list: faster than a generator here


def overlap(a: frozenset[str], b: frozenset[str]) -> float | None:
    """|a & b| / min(|a|, |b|), or None when either side has fewer than two figures."""
    if len(a) < 2 or len(b) < 2:
        return None
    return len(a & b) / min(len(a), len(b))
