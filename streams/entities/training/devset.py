"""The real-news dev set: hand-annotated articles of the shared Saudi corpus, and their scoring.

The gold (``data/devset.jsonl``, guide in ``data/DEVSET.md``) holds no article text: each line
is one article id of ``ar-saudinewsnet-6k.jsonl`` and its mentions as *field + surface + type +
occurrence index of that surface in the field*, with the offsets seen at annotation time as a
check. At evaluation time every raw record is cleaned with :func:`streams.clean.clean_article`
and each mention is found again in the field it names (``title``, ``text``, ``dateline`` =
``Dateline.text``, ``byline``): by its offsets when the surface still stands there, else by its
occurrence index, so small cleaner changes do not invalidate the annotation.

Over 450 lines: offline evaluation code (never imported at run time) that keeps the gold's
format, its relocation, the stated article draw, the scorer and the training-leak guard in one
place, so a change to the gold format is one diff; split it when a second consumer appears.

Scores (micro P/R/F1 per type and overall):

* **mentions**: a predicted mention counts when its field, exact span and type equal a gold one;
* **entities**: per article, the gold mentions grouped by their ``entity`` key and the
  product's entities (each a group of mentions) are matched one to one, a pair counting when
  the types agree and they share at least one exact mention span.

``people=False`` scores the stage on a model whose gazetteer is built without the curated people
list (``load_model(curated_people=False)``: none of its names in the phrases or the features), so
the model's own recall of people shows. When predicted
mentions or entities carry a ``source`` (``"gazetteer"`` for hits the CRF did not propose), the
precision of the gazetteer-only hits is reported apart.

The dev set must stay out of training: :func:`check_training_data` refuses a training file that
names a dev-set article id or shares a run of :data:`LEAK_NGRAM` tokens with a dev-set article.
"""

from __future__ import annotations

import functools
import hashlib
import json
import random
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

FIELDS = ("title", "text", "dateline", "byline")
TYPES = ("PER", "ORG", "LOC", "MISC")
GOLD_FILE = "devset.jsonl"
CORPUS_FILE = "ar-saudinewsnet-6k.jsonl"
#: How the articles were drawn (see data/DEVSET.md): per-source quotas, a fixed seed, a length cap.
SEED = 17
MAX_BODY_CHARS = 2500
QUOTAS = {"alriyadh": 5, "aljazirah": 4, "aawsat": 4, "alyaum": 3, "aleqtisadiya": 3, "okaz": 3, "alwatan": 3,
          "almadina": 3, "alweeam": 3, "3alyoum": 3, "sabq": 3, "was": 2, "arreyadi": 1, "arriyadiyah": 1}
LEAK_NGRAM = 8
#: The two halves of the dev set (stated before any tuning): rules and lists are tuned by reading
#: the errors of the ``tune`` half only; the ``held-out`` half measures whether a change generalises.
HALVES = ("tune", "held-out")


def half_of(article_id: str) -> str:
    """``tune`` when the SHA-256 of the article id is even, else ``held-out`` (30 / 23 articles)."""
    return HALVES[int(hashlib.sha256(article_id.encode("utf-8")).hexdigest(), 16) % 2]


class DevsetLeak(ValueError):
    """Training data overlaps the dev set."""


@dataclass(frozen=True, slots=True)
class GoldMention:
    field: str
    type: str
    text: str
    occ: int  # index of this occurrence among all occurrences of ``text`` in the field (substring search)
    start: int  # offsets seen at annotation time (a check; ``occ`` wins when they no longer fit)
    end: int
    entity: str  # groups the mentions of one referent within the article (its fullest name)


@dataclass(slots=True)
class GoldArticle:
    id: str
    source: str
    section: str | None
    mentions: list[GoldMention]
    note: str = ""


@dataclass(frozen=True, slots=True)
class Mention:
    """A resolved mention: where it stands in the cleaned article."""

    field: str
    start: int
    end: int
    type: str
    text: str = ""
    source: str | None = None


@dataclass(slots=True)
class Group:
    """One entity of one article: its type and its mentions."""

    type: str
    mentions: list[Mention] = field(default_factory=list)
    source: str | None = None


# --- gold ---------------------------------------------------------------------------------------

def gold_path() -> Path:
    return Path(str(resources.files(__package__).joinpath("data", GOLD_FILE)))


def load_gold(path: str | Path | None = None) -> list[GoldArticle]:
    out = []
    with open(path or gold_path(), encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            d = json.loads(line)
            ms = []
            for m in d["mentions"]:
                if m["field"] not in FIELDS or m["type"] not in TYPES:
                    raise ValueError(f"{path}:{n}: bad field or type in {m}")
                ms.append(GoldMention(m["field"], m["type"], m["text"], int(m.get("occ", 0)), int(m["start"]),
                                      int(m["end"]), m.get("entity") or m["text"]))
            out.append(GoldArticle(d["id"], d.get("source", ""), d.get("section"), ms, d.get("note", "")))
    return out


def devset_ids(path: str | Path | None = None) -> frozenset[str]:
    return frozenset(a.id for a in load_gold(path))


def occurrence(hay: str, needle: str, start: int) -> int:
    """How many occurrences of ``needle`` in ``hay`` begin before ``start``."""
    k = 0
    i = hay.find(needle)
    while 0 <= i < start:
        k += 1
        i = hay.find(needle, i + 1)
    return k


def locate(hay: str, needle: str, occ: int) -> int | None:
    """Start of the ``occ``-th occurrence (0-based) of ``needle`` in ``hay``, or None."""
    i = -1
    for _ in range(occ + 1):
        i = hay.find(needle, i + 1)
        if i < 0:
            return None
    return i


def field_texts(cleaned: Any) -> dict[str, str]:
    """The strings mentions point into: title, text, the dateline as it stood, the byline."""
    d = getattr(cleaned, "dateline", None)
    return {"title": getattr(cleaned, "title", None) or "", "text": cleaned.text or "",
            "dateline": (getattr(d, "text", None) or "") if d is not None else "",
            "byline": getattr(cleaned, "byline", None) or ""}


#: Where a mention may have gone when the cleaner changed: text <-> dateline/byline.
_MOVES = {"text": ("byline", "dateline"), "dateline": ("byline", "text"), "byline": ("dateline", "text")}


def resolve(article: GoldArticle, fields: dict[str, str]) -> tuple[list[tuple[Mention, str]], list[str]]:
    """Gold mentions placed in the cleaned fields (with their entity key), and a problem line for
    each one that could not be placed (it stays in the gold count: the product cannot find it)."""
    out: list[tuple[Mention, str]] = []
    problems: list[str] = []
    for m in article.mentions:
        hay = fields.get(m.field, "")
        if hay[m.start:m.end] == m.text:
            start = m.start
        else:
            start = locate(hay, m.text, m.occ)
        fld = m.field
        if start is None:  # the cleaner moved it (a byline it now detects leaves the text)
            fld, start = next(((f, i) for f in _MOVES.get(m.field, ()) for i in [fields.get(f, "").find(m.text)]
                               if i >= 0), (fld, None))
            if start is None:
                problems.append(f"{article.id}: {m.field} no longer holds {m.text!r} (occurrence {m.occ})")
                out.append((Mention(m.field, -1 - len(out), -1, m.type, m.text), m.entity))
                continue
        out.append((Mention(fld, start, start + len(m.text), m.type, m.text), m.entity))
    return out, problems


def gold_groups(resolved: list[tuple[Mention, str]]) -> list[Group]:
    groups: dict[tuple[str, str], Group] = {}
    for m, key in resolved:
        groups.setdefault((m.type, key), Group(m.type)).mentions.append(m)
    return list(groups.values())


# --- corpus -------------------------------------------------------------------------------------

def corpus_path() -> Path:
    from ...settings import shared_data_dir  # NEWS_SHARED_DATA, default ../shared/data

    return shared_data_dir() / CORPUS_FILE


def read_records(path: str | Path, ids: Iterable[str] | None = None) -> dict[str, dict]:
    want = set(ids) if ids is not None else None
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            if want is None or d.get("id") in want:
                out[d["id"]] = d
    return out


def clean_record(record: dict) -> Any:
    from streams.clean import clean_article
    from streams.ingest import raw_from_dict

    return clean_article(raw_from_dict(record), now="2026-01-01T00:00:00Z")


def section_of(url: str | None) -> str | None:
    """The corpus has no section field; some sites put one in the URL."""
    u = url or ""
    for pat in (r"alwatan\.com\.sa/(\w+)/", r"3alyoum\.com/news/(\w+)/a/", r"al-jazirah\.com/\d+/\d+/([a-z]+)\d*\.htm",
                r"arriyadiyah\.com/node/\d+/([^/]+)/"):
        m = re.search(pat, u)
        if m:
            return m.group(1)
    return None


def select(path: str | Path, quotas: dict[str, int] = QUOTAS, seed: int = SEED,
           max_chars: int = MAX_BODY_CHARS, *, limit: int | None = None, exclude: Iterable[str] = (),
           keep: Callable[[Any], bool] | None = None) -> list[dict]:
    """The dev-set draw: the corpus sorted by id, shuffled with ``seed``, walked once; a record
    is taken while its source's quota is open (and fewer than ``limit`` are taken), its body has
    at most ``max_chars`` characters, it is not in ``exclude``, cleaning leaves text and ``keep``
    (given the cleaned article) accepts it."""
    from streams.errors import Rejected

    skip = set(exclude)
    recs = sorted(read_records(path).values(), key=lambda r: r["id"])
    random.Random(seed).shuffle(recs)
    left = dict(quotas)
    out: list[dict] = []
    for r in recs:
        src = r.get("source")
        if left.get(src, 0) <= 0 or len(r.get("body") or "") > max_chars or r["id"] in skip:
            continue
        try:
            cleaned = clean_record(r)
        except Rejected:
            continue
        if keep is not None and not keep(cleaned):
            continue
        left[src] -= 1
        out.append(r)
        if limit is not None and len(out) >= limit:
            break
    return out


#: The second draw: articles whose dateline or byline the cleaner separates, so that those fields
#: (issue 17, item 6) are measured on more than a handful of mentions.
SUPPLEMENT = {"seed": 18, "limit": 12, "per_source": 3}


def select_supplement(path: str | Path, exclude: Iterable[str]) -> list[dict]:
    quotas = dict.fromkeys(QUOTAS, SUPPLEMENT["per_source"])
    return select(path, quotas, SUPPLEMENT["seed"], limit=SUPPLEMENT["limit"], exclude=exclude,
                  keep=lambda c: bool(c.dateline or c.byline))


# --- prediction ---------------------------------------------------------------------------------

def _source(obj: Any) -> str | None:
    s = getattr(obj, "source", None)
    return s if isinstance(s, str) else None


def predict(cleaned: Any, model: Any = None) -> list[Group]:
    """The product's entities for one cleaned article (what ``streams.entities.enrich`` gives),
    from ``model`` (default: the packaged one)."""
    from streams.entities.extract import extract

    groups = []
    for e in extract(cleaned.text or "", cleaned.title, cleaned.language, model, dateline=cleaned.dateline,
                     byline=cleaned.byline, authors=cleaned.authors):
        g = Group(e.type, source=_source(e))
        for m in e.mentions:
            g.mentions.append(Mention(m.field, m.start, m.end, e.type, m.text, _source(m) or g.source))
        groups.append(g)
    return groups


# --- scoring ------------------------------------------------------------------------------------

try:  # the ANERcorp scorer's P/R/F1 record (its module moves into this package)
    from .evaluate import Scores as PRF, _prf as prf
except ImportError:  # pragma: no cover - before the move
    from ..evaluate import Scores as PRF, _prf as prf  # type: ignore[no-redef]


def _table(gold: Counter, pred: Counter, correct: Counter) -> dict[str, PRF]:
    res = {"overall": prf(sum(correct.values()), sum(pred.values()), sum(gold.values()))}
    for t in sorted(set(gold) | set(pred)):
        res[t] = prf(correct[t], pred[t], gold[t])
    return res


def _alias_byline(pred: Mention, fields: dict[str, str], gold_keys: set[tuple]) -> Mention:
    """The cleaner keeps an author both in the dateline (``فهد العتيبي- سبق``) and in ``byline``;
    the gold marks the author once, in ``byline``: a predicted dateline mention of that name is
    read as the byline one."""
    if pred.field != "dateline" or (pred.field, pred.start, pred.end, pred.type) in gold_keys:
        return pred
    text = fields["dateline"][pred.start:pred.end]
    i = fields["byline"].find(text) if text else -1
    if i < 0:
        return pred
    return Mention("byline", i, i + len(text), pred.type, text, pred.source)


def score_article(gold: list[Group], pred: list[Group], fields: dict[str, str] | None = None,
                  errors: list[tuple] | None = None) -> dict[str, Counter]:
    """Counts for one article: mention- and entity-level gold/pred/correct per type, per field,
    and for gazetteer-only predictions; ``errors`` (when given) receives the missed and the
    spurious mentions as ``(kind, field, start, end, type, text)``."""
    c: dict[str, Counter] = defaultdict(Counter)
    gkeys = {(m.field, m.start, m.end, m.type) for g in gold for m in g.mentions}
    if fields is not None:
        pred = [Group(p.type, [_alias_byline(m, fields, gkeys) for m in p.mentions], p.source) for p in pred]
    pkeys: dict[tuple, Mention] = {}
    for p in pred:
        for m in p.mentions:
            pkeys.setdefault((m.field, m.start, m.end, m.type), m)
    if errors is not None:
        gtext = {(m.field, m.start, m.end, m.type): m.text for g in gold for m in g.mentions}
        errors += [("missed", *k[:3], k[3], gtext[k]) for k in sorted(set(gtext) - set(pkeys))]
        errors += [("spurious", *k[:3], k[3], pkeys[k].text) for k in sorted(set(pkeys) - set(gtext))]
    for k in gkeys:
        c["m_gold"][k[3]] += 1
        c["f_gold"][k[0]] += 1
    for k, m in pkeys.items():
        c["m_pred"][k[3]] += 1
        c["f_pred"][k[0]] += 1
        hit = k in gkeys
        if hit:
            c["m_correct"][k[3]] += 1
            c["f_correct"][k[0]] += 1
        if m.source and "gazetteer" in m.source:
            c["gaz_pred"][k[3]] += 1
            c["gaz_correct"][k[3]] += hit
    # entities: one-to-one, same type and at least one shared exact span, most shared first
    pairs = []
    for a, g in enumerate(gold):
        gs = {(m.field, m.start, m.end) for m in g.mentions}
        for b, p in enumerate(pred):
            if p.type == g.type:
                shared = len(gs & {(m.field, m.start, m.end) for m in p.mentions})
                if shared:
                    pairs.append((-shared, a, b))
    used_g: set[int] = set()
    used_p: set[int] = set()
    for _, a, b in sorted(pairs):
        if a not in used_g and b not in used_p:
            used_g.add(a)
            used_p.add(b)
            c["e_correct"][gold[a].type] += 1
    for g in gold:
        c["e_gold"][g.type] += 1
    for p in pred:
        c["e_pred"][p.type] += 1
    return c


def add_counts(total: dict[str, Counter], part: dict[str, Counter]) -> None:
    for k, v in part.items():
        total.setdefault(k, Counter()).update(v)


def summarize(c: dict[str, Counter]) -> dict:
    get = lambda k: c.get(k, Counter())  # noqa: E731
    out = {"mentions": {k: vars(v) for k, v in _table(get("m_gold"), get("m_pred"), get("m_correct")).items()},
           "entities": {k: vars(v) for k, v in _table(get("e_gold"), get("e_pred"), get("e_correct")).items()},
           "fields": {k: vars(v) for k, v in _table(get("f_gold"), get("f_pred"), get("f_correct")).items()
                      if k != "overall"}}
    if get("gaz_pred"):
        out["gazetteer_only"] = {k: vars(v) for k, v in
                                 _table(Counter(), get("gaz_pred"), get("gaz_correct")).items()}
    return out


# --- the evaluation -----------------------------------------------------------------------------

def evaluate_devset(gold: str | Path | None = None, corpus: str | Path | None = None, *, people: bool = True,
                    predictor: Callable[..., list[Group]] | None = None, errors: bool = False,
                    model_path: str | Path | None = None, half: str | None = None) -> dict:
    """Score the entity stage on the dev set (see the module doc); ``model_path``: a model file
    other than the packaged one; ``predictor(cleaned, model=...)``: the groups predicted for one
    article (default :func:`predict`); ``errors``: also list every missed and spurious mention per
    article (``result["errors"]``); ``half``: score only that half (:func:`half_of`). The result
    also holds each half's own figures (``result["halves"]``)."""
    arts = [a for a in load_gold(gold) if half is None or half_of(a.id) == half]
    recs = read_records(corpus or corpus_path(), (a.id for a in arts))
    missing = [a.id for a in arts if a.id not in recs]
    if missing:
        raise FileNotFoundError(f"{len(missing)} dev-set articles are not in the corpus (first: {missing[0]})")
    total: dict[str, Counter] = {}
    halves: dict[str, dict[str, Counter]] = {h: {} for h in HALVES}
    problems: list[str] = []
    errs: dict[str, list[tuple]] = {}
    from streams.entities.model import load_model

    # people=False: a model of its own whose gazetteer was built without the people list
    # (Gazetteer(curated_people=False)); nothing computed with the list is in its caches
    model = load_model(model_path, curated_people=people)
    run = functools.partial(predictor or predict, model=model)

    for a in arts:
        cleaned = clean_record(recs[a.id])
        fields = field_texts(cleaned)
        res, probs = resolve(a, fields)
        problems.extend(probs)
        e: list[tuple] | None = errs.setdefault(a.id, []) if errors else None
        counts = score_article(gold_groups(res), run(cleaned), fields, e)
        add_counts(total, counts)
        add_counts(halves[half_of(a.id)], counts)
    out = summarize(total)
    out["halves"] = {h: {"articles": sum(half_of(a.id) == h for a in arts),
                         **{k: v["overall"] for k, v in summarize(c).items() if k in ("mentions", "entities")}}
                     for h, c in halves.items() if c}
    out.update(half=half or "all", articles=len(arts), problems=problems, curated_people=people,
               model=str(model_path) if model_path else "packaged")
    if errors:
        out["errors"] = errs
    return out


def format_devset_report(r: dict) -> str:
    lines = [f"real-news dev set{'' if r.get('half', 'all') == 'all' else ' (' + r['half'] + ' half)'}:"
             f" {r['articles']} articles, curated people list "
             f"{'on' if r['curated_people'] else 'off'}"
             + ("" if r.get("model", "packaged") == "packaged" else f", model {r['model']}")]
    for level in ("mentions", "entities"):
        lines.append(f"{level + ' (exact span)' if level == 'mentions' else 'entities (one per referent per article)'}")
        lines.append(f"  {'type':<8} {'P':>6} {'R':>6} {'F1':>6} {'support':>8} {'predicted':>9}")
        sc = r[level]
        for k in ["overall"] + [t for t in TYPES if t in sc]:
            s = sc[k]
            lines.append(f"  {k:<8} {s['precision']:6.4f} {s['recall']:6.4f} {s['f1']:6.4f} {s['support']:8d}"
                         f" {s['predicted']:9d}")
    f = r.get("fields", {})
    if f:
        lines.append("mentions by field: " + ", ".join(
            f"{k} R {v['recall']:.3f} P {v['precision']:.3f} ({v['support']})" for k, v in sorted(f.items())))
    g = r.get("gazetteer_only")
    if g:
        o = g["overall"]
        lines.append(f"gazetteer-only hits: precision {o['precision']:.4f} ({o['correct']}/{o['predicted']})")
    else:
        lines.append("gazetteer-only hits: the predictions do not say which hits come from the gazetteer alone")
    hv = r.get("halves", {})
    if len(hv) > 1:
        lines.append("halves (sha256 of the article id even: tune, odd: held-out): " + "; ".join(
            f"{h} {v['articles']} articles, entities F1 {v['entities']['f1']:.4f}"
            f" (P {v['entities']['precision']:.3f} R {v['entities']['recall']:.3f}), mentions F1 {v['mentions']['f1']:.4f}"
            for h, v in hv.items()))
    if r["problems"]:
        lines.append(f"{len(r['problems'])} gold mentions no longer found in the cleaned text; first: {r['problems'][0]}")
    return "\n".join(lines)


# --- keeping the dev set out of training --------------------------------------------------------

def _ngrams(tokens: list[str], n: int) -> Iterator[tuple[str, ...]]:
    for i in range(len(tokens) - n + 1):
        yield tuple(tokens[i:i + n])


def _tokens(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def check_training_data(path: str | Path, *, gold: str | Path | None = None, corpus: str | Path | None = None,
                        n: int = LEAK_NGRAM) -> None:
    """Raise :class:`DevsetLeak` when a training file (CoNLL or any text) names a dev-set
    article id, or shares a run of ``n`` word tokens with a dev-set article's title or text
    (checked when the shared corpus is at hand)."""
    ids = devset_ids(gold)
    body = Path(path).read_text(encoding="utf-8", errors="replace")
    named = sorted(i for i in ids if i in body)
    if named:
        raise DevsetLeak(f"{path} names {len(named)} dev-set article(s), e.g. {named[0]}: the dev set stays out of training")
    cp = Path(corpus) if corpus else corpus_path()
    if not cp.exists():
        return
    grams: set[tuple[str, ...]] = set()
    for r in read_records(cp, ids).values():
        cleaned = clean_record(r)
        for t in (cleaned.title or "", cleaned.text):
            grams.update(_ngrams(_tokens(t), n))
    # a CoNLL file has one token per line: read its first column as running text
    words: list[str] = []
    for line in body.splitlines():
        tok = line.split(" ", 1)[0].split("\t", 1)[0]
        words.extend(_tokens(tok) if tok else [])
    for g in _ngrams(words, n):
        if g in grams:
            raise DevsetLeak(f"{path} contains {' '.join(g)!r}, a passage of a dev-set article:"
                             " the dev set stays out of training")


def exclude_devset(records: Iterable[dict], *, gold: str | Path | None = None) -> Iterator[dict]:
    """Filter dev-set articles (by ``id``) out of raw records meant for training (silver data)."""
    ids = devset_ids(gold)
    return (r for r in records if r.get("id") not in ids)


# --- drafting (annotation aid) ------------------------------------------------------------------

def draft(record: dict) -> dict:
    """A pre-annotation of one record with the current stage, in the gold format, to be read
    and corrected by hand (see data/DEVSET.md)."""
    cleaned = clean_record(record)
    fields = field_texts(cleaned)
    ms = []
    for g in predict(cleaned):
        key = max((m.text for m in g.mentions), key=len)
        for m in g.mentions:
            hay = fields.get(m.field, "")
            ms.append({"field": m.field, "type": m.type, "text": m.text, "occ": occurrence(hay, m.text, m.start),
                       "start": m.start, "end": m.end, "entity": key})
    ms.sort(key=lambda m: (FIELDS.index(m["field"]), m["start"]))
    return {"id": record["id"], "source": record.get("source", ""), "section": section_of(record.get("url")),
            "mentions": ms}
