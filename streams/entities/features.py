"""CRF features for one sentence of tokens.

Per token: the normalised word; its core (proclitics, article and, when the lexicon agrees,
an enclitic pronoun split off) with core prefixes/suffixes; the clitics themselves; shape and
length; gazetteer membership of the core (LOC/ORG/PER names, given names, trigger words,
nationality adjectives); the same for the neighbours at +-1 and +-2; core bigrams; and the
gazetteer phrase match (B-/I- and type) covering the token.

Everything that depends on a token alone is computed once per distinct token and cached, so a
sentence costs a few tuple concatenations per token.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from . import freq as freqmod
from .cache import BoundedCache
from .clitics import enclitic, proclitic
from .gazetteer import Gazetteer
from .normalize import norm, skeleton

_CACHE_MAX = 200_000


class TokenInfo(NamedTuple):
    """What a token contributes to the features of any sentence it is in (a tuple: as cheap to
    build and read as the 8-tuple it names)."""

    own: tuple[str, ...]  # its own features
    as_prev2: tuple[str, ...]  # its features as the token two before the one being tagged (-2)
    as_prev: tuple[str, ...]  # ... as the token just before it (-1)
    as_next: tuple[str, ...]  # ... just after it (+1)
    as_next2: tuple[str, ...]  # ... two after it (+2)
    key_first: str  # gazetteer key as a phrase's first token (proclitics and article off)
    key_inner: str  # gazetteer key as a later token (article off)
    core: str  # the stem (clitics split off): bigram features and the document key


class TokenRows(NamedTuple):
    """:class:`TokenInfo` with each feature as the model's attribute row (features the model
    has no weights for left out), for the tagger."""

    own: list[int]
    as_prev2: list[int]
    as_prev: list[int]
    as_next: list[int]
    as_next2: list[int]
    key_first: str
    key_inner: str
    core: str


# the neighbour templates at -2, -1, +1, +2: word, core, proclitic, frequency, gazetteer class, shape
_NEIGHBOUR_TEMPLATES = tuple((k, tuple(k + t for t in ("w", "c", "p", "zf", "g", "sh"))) for k in ("-2", "-1", "+1", "+2"))
_NONE: dict[str, int] = {}


def _shape(tok: str) -> str:
    if tok.isdigit():
        return "num"
    ch = tok[0]
    if "\u0600" <= ch <= "\u06ff":
        return "ar"
    if ch.isascii() and ch.isalpha():
        return "LAT" if ch.isupper() else "lat"
    if any(c.isdigit() for c in tok):
        return "numx"
    if not ch.isalnum():
        return "punc"
    return "oth"


def _lenb(n: int) -> str:
    return "1" if n <= 1 else "2" if n == 2 else "3" if n == 3 else "5" if n <= 5 else "8" if n <= 8 else "9"


def gaz_features(gaz: list[tuple], n: int) -> list[str | None]:
    """The gazetteer phrase feature (``G=B-LOC``, ``G=I-ORGw``...) of each of n positions."""
    gfeat: list[str | None] = [None] * n
    for i, j, e in gaz:
        t = e.type + ("w" if e.weak else "")
        gfeat[i] = f"G=B-{t}"
        for k in range(i + 1, j):
            gfeat[k] = f"G=I-{t}"
    return gfeat


def doc_key(tok: str, inf: TokenInfo) -> str | None:
    """The key under which a token's first-stage labels are pooled over its document: the
    skeleton of its core, for Arabic words whose core has at least three letters."""
    return inf.key_first if len(inf.core) >= 3 and "\u0600" <= tok[0] <= "\u06ff" else None


def _typ(label: str) -> str:
    return "O" if label == "O" else label[2:]


def pooled_features(others: dict[str, int]) -> list[str]:
    """Features from the first-stage types of the other occurrences of a key in the document
    (type -> count, zero counts allowed): the majority type (``dm=``, O included, ties to the
    greater name), each entity type seen (``dt=``), and ``dmix`` when entity and O both occur."""
    cc = {t: v for t, v in others.items() if v > 0}
    if not cc:
        return []
    f = [f"dm={max(cc, key=lambda t: (cc[t], t))}"]
    ent = [t for t in cc if t != "O"]
    f += [f"dt={t}" for t in ent]
    if ent and "O" in cc:
        f.append("dmix")
    return f


def doc_features(keys: list[list[str | None]], labels: list[list[str]]) -> list[list[list[str]]]:
    """Second-stage features of every token of a document (its sentences' ``doc_key``s and
    first-stage labels): the first-stage labels at -1/0/+1 and, for a token with a key,
    :func:`pooled_features` of the *other* occurrences of its key in the document."""
    pool: dict[str, dict[str, int]] = {}
    for ks, ls in zip(keys, labels):
        for k, lab in zip(ks, ls):
            if k is not None:
                c = pool.setdefault(k, {})
                t = _typ(lab)
                c[t] = c.get(t, 0) + 1
    out = []
    for ks, ls in zip(keys, labels):
        n = len(ls)
        sent = []
        for i in range(n):
            f = [f"s1={ls[i]}"]
            if i:
                f.append(f"s1-1={ls[i - 1]}")
            if i + 1 < n:
                f.append(f"s1+1={ls[i + 1]}")
            k = ks[i]
            if k is not None:
                own = _typ(ls[i])
                f += pooled_features({t: v - (t == own) for t, v in pool[k].items()})
            sent.append(f)
        out.append(sent)
    return out


class Featurizer:
    def __init__(self, gaz: Gazetteer, known: frozenset[str] | None = None,
                 index: Mapping[str, int] | None = None) -> None:
        """``known``: the attributes the model has weights for; the others are dropped as soon
        as they are made (a large speed-up: most word-identity features carry no weight).
        ``index``: attribute -> weight row, for :meth:`rows` (``known`` defaults to its keys)."""
        if known is None and index is not None:
            known = frozenset(index)
        self.known = known
        # template -> value -> row: "w=..." is row tables["w"]["..."] (a template has no "=")
        self._tables: dict[str, dict[str, int]] = {}
        for attr, row in (index or {}).items():
            t, sep, v = attr.partition("=")
            if sep:
                self._tables.setdefault(t, {})[v] = row
        self.gaz = gaz
        self.lex = gaz.lex
        self.types = gaz.token_types_frozen
        self._cache: BoundedCache[str, TokenInfo] = BoundedCache(_CACHE_MAX)
        self._keys: BoundedCache[str, tuple[str, str]] = BoundedCache(_CACHE_MAX)
        self.freq = freqmod.table()
        # for rows(): each template's value -> row look-up, bound once (a template the model has
        # no weight for looks up in an empty table); per neighbour position, its six templates
        get = self._row_getter
        self._own_get = {t: get(t) for t in ("w", "c", "sh", "len", "p", "e", "c2", "c3", "s1", "s2", "s3", "g",
                                             "zf", "zw", "lw")}
        self._nb_get = tuple((k[1] == "1", *map(get, ts)) for k, ts in _NEIGHBOUR_TEMPLATES)

    def _split(self, tok: str) -> tuple[str, str, str, str, str]:
        """(normalised word, proclitic, core, key_first, key_inner) of one token."""
        n = norm(tok)
        w = n or tok
        p = proclitic(w, self.lex)
        core = w[len(p):] or w
        kf = skeleton(core)
        wi = self.gaz.inner_form(n)  # = gaz.key_inner(tok) before the skeleton; most often the core
        return w, p, core, kf, kf if wi == core else skeleton(wi)

    def keys(self, tok: str) -> tuple[str, str]:
        """(key_first, key_inner) of one token (those of :meth:`info`), cached (small entries)."""
        c = self._keys.get(tok)
        if c is None:
            c = self._keys.put(tok, self._split(tok)[3:])
        return c

    def info(self, tok: str) -> TokenInfo:
        """:class:`TokenInfo` of one token, cached (for training and tests; the tagger caches
        compact weight vectors instead and calls :meth:`compute`)."""
        c = self._cache.get(tok)
        if c is None:
            c = self._cache.put(tok, self.compute(tok))
        return c

    def clear_caches(self) -> None:
        self._cache.clear()
        self._keys.clear()

    def _row_getter(self, template: str):
        return self._tables.get(template, _NONE).get

    def _facts(self, tok: str) -> tuple[str, str, str, str, tuple[str, ...], str, str, str, str | None, str, str]:
        """What a token's features are made of: (normalised word, proclitic, enclitic, stem,
        gazetteer classes, shape, frequency bucket of the stem, word|stem buckets, lower-cased
        Latin word or None, key_first, key_inner)."""
        w, p, core, kf, ki = self._split(tok)
        e = enclitic(core, self.lex)
        stem = core[: -len(e)] if e else core
        types = self.types
        gt = types.get(kf, ())
        if ki != kf:
            gt = tuple(sorted(set(gt) | set(types.get(ki, ()))))
        if not gt and stem != core:
            gt = tuple("e" + t for t in types.get(skeleton(stem), ()))
        sh = _shape(tok)
        freq = self.freq
        zs = freqmod.bucket(freq.get(stem, 0))
        return (w, p, e, stem, gt, sh, zs, f"{freqmod.bucket(freq.get(w, 0))}|{zs}",
                tok.lower() if sh in ("LAT", "lat") else None, kf, ki)

    def _parts(self, tok: str) -> tuple[list[tuple[str, str]], list[list[tuple[str, str]]], str, str, str]:
        """Every feature of a token as ``(template, value)`` pairs, in crfsuite's order (own,
        then as the -2/-1/+1/+2 neighbour), unfiltered; and its key_first, key_inner and core.
        (:meth:`rows` makes the same features in the same order, as rows.)"""
        w, p, e, stem, gt, sh, zs, zw, lw, kf, ki = self._facts(tok)
        own = [("w", w), ("c", stem), ("sh", sh), ("len", _lenb(len(stem)))]
        if p:
            own.append(("p", p))
        if e:
            own.append(("e", e))
        if len(stem) >= 3:
            own += [("c2", stem[:2]), ("c3", stem[:3]), ("s1", stem[-1]), ("s2", stem[-2:]), ("s3", stem[-3:])]
        else:
            own.append(("s1", stem[-1:]))
        own += [("g", t) for t in gt]
        own.append(("zf", zs))
        own.append(("zw", zw))
        if lw is not None:
            own.append(("lw", lw))
        nbs = []
        for k, (kw, kc, kp, kzf, kg, ksh) in _NEIGHBOUR_TEMPLATES:
            f = [(kw, w), (kc, stem)]
            if k[1] == "1":
                if p:
                    f.append((kp, p))
                f.append((kzf, zs))
            if gt:
                f += [(kg, t) for t in gt]
            if sh != "ar":
                f.append((ksh, sh))
            nbs.append(f)
        return own, nbs, kf, ki, stem

    def compute(self, tok: str) -> TokenInfo:
        """:meth:`info`, uncached."""
        own, nbs, kf, ki, stem = self._parts(tok)
        known = self.known
        out = []
        for fs in [own] + nbs:
            strs = [f"{a}={v}" for a, v in fs]
            out.append(tuple(strs) if known is None else tuple(x for x in strs if x in known))
        return TokenInfo(out[0], out[1], out[2], out[3], out[4], kf, ki, stem)

    def rows(self, tok: str) -> TokenRows:
        """:meth:`compute` as the model's attribute rows (``index`` given at construction): the
        same features in the same order as :meth:`_parts` (tested), looked up by template and
        value without building their strings or pairs (the tagger's first sight of a token)."""
        w, p, e, stem, gt, sh, zs, zw, lw, kf, ki = self._facts(tok)
        g = self._own_get
        own = [g["w"](w), g["c"](stem), g["sh"](sh), g["len"](_lenb(len(stem)))]
        if p:
            own.append(g["p"](p))
        if e:
            own.append(g["e"](e))
        if len(stem) >= 3:
            own += (g["c2"](stem[:2]), g["c3"](stem[:3]), g["s1"](stem[-1]), g["s2"](stem[-2:]), g["s3"](stem[-3:]))
        else:
            own.append(g["s1"](stem[-1:]))
        if gt:
            own += map(g["g"], gt)
        own.append(g["zf"](zs))
        own.append(g["zw"](zw))
        if lw is not None:
            own.append(g["lw"](lw))
        out = [own]
        for near, kw, kc, kp, kzf, kg, ksh in self._nb_get:
            f = [kw(w), kc(stem)]
            if near:
                if p:
                    f.append(kp(p))
                f.append(kzf(zs))
            if gt:
                f += map(kg, gt)
            if sh != "ar":
                f.append(ksh(sh))
            out.append(f)
        out = [[x for x in r if x is not None] if None in r else r for r in out]
        return TokenRows(out[0], out[1], out[2], out[3], out[4], kf, ki, stem)

    def sentence(self, tokens: list[str]) -> tuple[list[list[str]], list[tuple]]:
        """Every token's feature strings (as crfsuite sees them) and the gazetteer matches."""
        infos = [self.info(t) for t in tokens]
        n = len(infos)
        gaz = self.gaz.match_keys([i.key_first for i in infos], [i.key_inner for i in infos])
        gfeat = gaz_features(gaz, n)
        out: list[list[str]] = []
        known = self.known
        for i in range(n):
            inf = infos[i]
            f = list(inf.own)
            if i >= 1:
                f += infos[i - 1].as_prev
                b = f"bg-={infos[i - 1].core}|{inf.core}"
                if known is None or b in known:
                    f.append(b)
                if i >= 2:
                    f += infos[i - 2].as_prev2
                else:
                    f.append("BOS2")
            else:
                f.append("BOS")
            if i + 1 < n:
                f += infos[i + 1].as_next
                b = f"bg+={inf.core}|{infos[i + 1].core}"
                if known is None or b in known:
                    f.append(b)
                if i + 2 < n:
                    f += infos[i + 2].as_next2
                else:
                    f.append("EOS2")
            else:
                f.append("EOS")
            g = gfeat[i]
            if g is not None:
                f.append(g)
                if i + 1 < n and gfeat[i + 1] is not None and gfeat[i + 1].startswith("G=I"):
                    f.append("Gcont")
            out.append(f)
        return out, gaz
