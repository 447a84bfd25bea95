"""Gazetteers with identities: countries, capitals and cities, organisations, news agencies and
people, in Arabic (with spelling variants) and English/French.

Sources (all shippable): Unicode CLDR territory and exemplar-city names through ``babel``
(Arabic, English, French), and the curated files in ``data/`` (each names its sources; QIDs from
Wikidata, CC0). The ANERGazet lists that come with ANERcorp are *not* used: their licence is
unclear.

Matching is on *keys*: the first token of a phrase loses its proclitics and article, later
tokens lose only the article, and every token is reduced to its :func:`skeleton` (hamza forms,
alef/yeh/teh-marbuta variants and غ/ج unified), so ``بالعراق``, ``للعراق`` and ``العراق`` share
the key of ``العراق``, and ``مورجان أورتاجوس`` that of ``مورغان أورتاغوس``. Aliases written with a
leading ``~`` in the data files are *weak* (ambiguous with common words: ``الفرنسية``, ``حماس``):
they link and feed features but never create an entity on their own.
"""

from __future__ import annotations

import dataclasses
import functools
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import compress, count
from operator import or_

from . import clitics
from .cache import BoundedCache
from .data import read_table
from .normalize import norm, skeleton

MAX_PHRASE = 7
LEXICON_WEIGHT = 5  # the count a gazetteer word gets in the clitic lexicon (= lexicon.GAZ_WEIGHT)
_KEY_CACHE = 100_000


@dataclass(frozen=True, slots=True)
class GazEntry:
    type: str
    id: str | None
    name: str | None
    weak: bool = False
    source: str = ""
    country: str | None = None  # ISO 3166-1 code of a place (GeoNames places, countries)
    population: int = 0


_read = read_table


def _words(name: str) -> list[str]:
    out: list[str] = []
    for row in _read(name):
        for cell in row:
            out.extend(w.strip() for w in cell.split("|") if w.strip())
    return out


def demonym_forms() -> frozenset[str]:
    """Normalised forms (no article) of nationality adjectives and nouns."""
    forms: set[str] = set()
    for w in _words("demonyms.txt"):
        base = norm(w)
        if " " in base:
            continue
        for suf in ("", "ه", "ون", "ين", "ان", "تان", "تين", "ات"):
            forms.add(base + suf)
    for w in _words("broken_plurals.txt"):
        forms.add(norm(w))
    return frozenset(forms)


class Gazetteer:
    """Phrase dictionary keyed by token-key tuples, plus per-token type sets for features."""

    def __init__(self, lexicon: Mapping[str, int], *, curated_people: bool = True) -> None:
        """``curated_people=False``: built without the curated people list (``people.tsv``), so
        no phrase, alias or per-token feature class says PER: the model's own recall of people
        shows (``ner eval --no-curated-people``). The other lists are unchanged."""
        self.lex = lexicon
        self.curated_people = curated_people
        self.phrases: dict[tuple[str, ...], GazEntry] = {}
        self.prefixes: set[tuple[str, ...]] = set()
        self.latin: dict[tuple[str, ...], GazEntry] = {}
        self.latin_prefixes: set[tuple[str, ...]] = set()
        self.token_types: dict[str, set[str]] = {}
        self.demonyms = demonym_forms()
        self._key_first_cache: BoundedCache[str, str] = BoundedCache(_KEY_CACHE)
        self._key_inner_cache: BoundedCache[str, str] = BoundedCache(_KEY_CACHE)
        self._load()

    # --- keys -------------------------------------------------------------------------------
    def key_first(self, token: str) -> str:
        k = self._key_first_cache.get(token)
        if k is None:
            w = norm(token)
            p = clitics.proclitic(w, self.lex)
            k = self._key_first_cache.put(token, skeleton(w[len(p):] or w))
        return k

    inner_form = staticmethod(clitics.article_off)

    def key_inner(self, token: str) -> str:
        k = self._key_inner_cache.get(token)
        if k is None:
            k = self._key_inner_cache.put(token, skeleton(self.inner_form(norm(token))))
        return k

    def phrase_key(self, phrase: str) -> tuple[str, ...]:
        """Key of a canonical name: only the article is split off (a name's own initial
        و/ب/ل/ك/ف, as in ``لاوس`` or ``واشنطن``, is never a clitic)."""
        return tuple(self.key_inner(t) for t in phrase.split())

    # --- building -----------------------------------------------------------------------------
    def _add(self, alias: str, entry: GazEntry) -> None:
        weak = alias.startswith("~")
        alias = alias.lstrip("~").strip()
        if not alias:
            return
        if weak:
            entry = dataclasses.replace(entry, weak=True)
        key = self.phrase_key(alias)
        if not key or any(not k for k in key):
            return
        old = self.phrases.get(key)
        if old is not None:
            if old.id == entry.id and old.type == entry.type:
                if old.weak and not entry.weak:
                    self.phrases[key] = entry
                return
            if old.type == entry.type and (old.id is None or entry.id is None or old.id != entry.id):
                # same type, two identities (عمان: Oman and Amman): keep the type, drop the id
                # unless the earlier one came from a curated list with an id and the later not.
                if old.id is not None and entry.id is None:
                    return
                self.phrases[key] = GazEntry(old.type, None, None, old.weak and entry.weak, old.source)
                return
            if old.weak and not entry.weak:  # a strong name beats a weak alias (الرياض: the city, not the club)
                self.phrases[key] = entry
                if len(key) == 1:
                    self.token_types.setdefault(key[0], set()).add(entry.type)
            return  # different types: otherwise the first (curated, most specific) wins
        self.phrases[key] = entry
        for i in range(1, len(key)):
            self.prefixes.add(key[:i])
        if len(key) == 1:
            self.token_types.setdefault(key[0], set()).add(entry.type + ("w" if weak else ""))
        else:
            for k in key:
                self.token_types.setdefault(k, set()).add("part" + entry.type)

    def _add_latin(self, alias: str, entry: GazEntry) -> None:
        toks = tuple(alias.split())
        if not toks:
            return
        key = tuple(t if t.isupper() else t.casefold() for t in toks)
        if key not in self.latin:
            self.latin[key] = entry
            for i in range(1, len(key)):
                self.latin_prefixes.add(key[:i])

    def _load(self) -> None:
        self.outlets: dict[tuple[str, ...], GazEntry] = {}  # news outlets, weak names included (quoted names)
        for fname, src in (("people.tsv", "curated:people"), ("organizations.tsv", "curated:organizations"),
                           ("agencies.tsv", "curated:agencies"), ("outlets.tsv", "curated:outlets")):
            if fname == "people.tsv" and not self.curated_people:
                continue
            for row in _read(fname):
                row = row + [""] * (5 - len(row))
                qid, typ, en, ar, lat = (c.strip() for c in row[:5])
                entry = GazEntry(typ, qid or None, en or None, False, src)
                for a in ar.split("|"):
                    self._add(a, entry)
                    if src in ("curated:agencies", "curated:outlets") and a.strip("~ "):
                        self.outlets.setdefault(self.phrase_key(a.strip("~ ")), entry)
                for a in (lat.split("|") if lat else []) + ([en] if en else []):
                    if a.strip():
                        self._add_latin(a.strip(), entry)
        self._load_countries()
        for fname, latin in (("cities.tsv", True), ("landmarks.tsv", False)):  # Mars, Venus (Williams): Arabic only
            for row in _read(fname):
                row = row + [""] * (4 - len(row))
                qid, typ, en, ar = (c.strip() for c in row[:4])
                entry = GazEntry(typ or "LOC", qid or None, en or None, False, "curated:cities")
                for a in ar.split("|"):
                    self._add(a, entry)
                if en and latin:
                    self._add_latin(en, entry)
        self._load_cldr_cities()
        self._load_places()
        self._lexicon_names([t] for t in alias_tokens())  # lists grown since the model was trained
        for w in _words("given_names.txt"):
            self.token_types.setdefault(self.key_inner(w), set()).add("GIVEN")
        for row in _read("triggers.tsv"):
            typ, words = row[0].strip(), row[1]
            for w in words.split("|"):
                w = w.strip()
                if w and " " not in w:
                    self.token_types.setdefault(self.key_inner(w), set()).add("T" + typ)
        for d in self.demonyms:
            self.token_types.setdefault(skeleton(d), set()).add("NAT")
        self.token_types_frozen = {k: tuple(sorted(v)) for k, v in self.token_types.items()}

    def _load_countries(self) -> None:
        from babel import Locale

        extra = {r[0].strip(): r for r in _read("countries.tsv")}
        ar, en, fr = Locale("ar").territories, Locale("en").territories, Locale("fr").territories
        weak_names = {"مالي"}
        for code, name in ar.items():
            if len(code) != 2 or not code.isalpha() or code in {"ZZ", "XA", "XB", "EU", "EZ", "UN", "QO"}:
                continue
            row = extra.get(code)
            qid = row[1].strip() if row and len(row) > 1 and row[1].strip() else None
            entry = GazEntry("LOC", qid, en.get(code), False, "cldr:territory", code)
            names = [name]
            if row and len(row) > 2:
                names += [v for v in row[2].split("|") if v.strip()]
            for n in names:
                self._add(("~" + n) if norm(n) in weak_names else n, entry)
            for n in (en.get(code), fr.get(code)):
                if n:
                    self._add_latin(n, entry)

    def _load_cldr_cities(self) -> None:
        from babel import Locale

        tzs = Locale("ar").time_zones
        for tz, data in tzs.items():
            if tz.startswith(("Etc/", "Antarctica/")) or "city" not in data:
                continue
            name = data["city"]
            en = tz.rsplit("/", 1)[-1].replace("_", " ")
            weak = len(norm(name).replace(" ", "")) <= 3
            self._add(("~" if weak else "") + name, GazEntry("LOC", None, en, False, "cldr:exemplar-city"))
            self._add_latin(en, GazEntry("LOC", None, en, False, "cldr:exemplar-city"))

    def _load_places(self) -> None:
        """GeoNames cities and curated first-level divisions (see :mod:`places`): a name already
        known (curated lists, CLDR) keeps its entry; of two places with one name the more populous
        wins (the others stay in ``place_alternatives`` for the article's country context). They
        add no per-token feature classes (the CRF was trained without them)."""
        from .freq import table
        from .places import ARAB_LEAGUE, DIVISIONS_FILE, PLACES_FILE, STRONG_POPULATION, strong_zipf_limit

        zipf = table()
        skip_types = {"GIVEN", "NAT"}
        self.place_alternatives: dict[tuple[str, ...], list[GazEntry]] = {}
        rows = [(f"geonames:{r[0]}", r[1], int(r[2]), r[3], r[4].split("|"), r[5].split("|"))
                for r in _read(PLACES_FILE)]
        for r in _read(DIVISIONS_FILE):
            names = r[2].split("|")
            rows.append((f"ISO3166-2:{r[0]}", r[0][:2], 0, r[1], names, [" ".join(self.phrase_key(n.lstrip("~")))
                                                                        for n in names]))
        known = set(self.phrases)
        self._lexicon_names(names for *_, names, _ in rows)
        for pid, cc, pop, en, names, keys in rows:
            division = pid.startswith("ISO")
            entry = GazEntry("LOC", pid, en, False, "geonames" if not division else "iso3166-2", cc, pop)
            for alias, k in zip(names, keys):
                weak = alias.startswith("~")
                alias = alias.lstrip("~").strip()
                key = tuple(k.split(" "))
                if not alias or not all(key) or key in known:
                    continue
                old = self.phrases.get(key)
                if old is not None:
                    alts = self.place_alternatives.setdefault(key, [old])
                    if all(a.id != entry.id for a in alts):
                        alts.append(entry)
                    continue
                arab = cc in ARAB_LEAGUE
                if len(key) == 1 and not division:  # divisions are curated: weak only when marked ~
                    types = self.token_types.get(key[0], ())
                    # as a word, in any of its forms (الخمس is Al Khums, خمس is "five")
                    z2 = max(zipf.get(norm(alias), 0), zipf.get(key[0], 0), zipf.get("ال" + key[0], 0))
                    if len(key[0]) < 3 or z2 >= 11:  # إن (Ans), في: function words, never a place
                        continue
                    # a frequent word needs a large city of the region: الطائف yes, الخبر no
                    limit = strong_zipf_limit(cc, pop)
                    weak = weak or (z2 > limit or any(t in skip_types or t.startswith("T") for t in types))
                weak = weak or (not division and pop < (STRONG_POPULATION if arab else 100_000))
                self.phrases[key] = dataclasses.replace(entry, weak=True) if weak else entry
                for i in range(1, len(key)):
                    self.prefixes.add(key[:i])

    def _lexicon_names(self, names: Iterable[list[str]]) -> None:
        """Put each name's first word into the clitic lexicon when it is not there (as training
        puts the curated aliases' words, ``lexicon.with_gazetteer``): GeoNames places and names
        added to the curated lists after training, so ``بتبوك`` / ``وأبها`` / ``ببلوتو`` split into
        ب + the name and match it. A word that is itself a clitic + a known word (``وجدة``: و + جدة, or
        Oujda) is not added: it keeps splitting as before."""
        firsts = {norm(n.lstrip("~").split(" ", 1)[0]) for ns in names for n in ns if n.strip("~ ")}
        lex = self.lex
        if not isinstance(lex, dict):
            return
        for w in firsts:
            if w in lex or len(w) < 3 or (w[0] in "وفبلك" and (w[1:] in lex or w[1:] in firsts)):
                continue
            lex[w] = LEXICON_WEIGHT

    # --- matching -----------------------------------------------------------------------------
    def match_keys(self, first: list[str], inner: list[str]) -> list[tuple[int, int, GazEntry]]:
        """Greedy longest matches over a sentence given per-token first/inner keys (a phrase may
        start on either key of its first token: ``بالعراق`` -> ``عراق``, ``لاوس`` stays whole)."""
        f = self.first_keys()
        if f.isdisjoint(inner) and f.isdisjoint(first):  # no phrase can start here
            return []
        starts = [(a,) if a == b else (a, b) for a, b in zip(inner, first)]
        return _longest(starts, inner, self.phrases, self.prefixes, f)

    def match_many(self, first: list[str], inner: list[str], lens: list[int],
                   cands: list[int] | None = None) -> list[list[tuple[int, int, GazEntry]]]:
        """:meth:`match_keys` of each sentence of a document (the keys of all its tokens, in
        sentences of ``lens`` tokens), in one pass: the tokens where a phrase may start are
        found for the whole document at C speed (or given: ``cands``, ascending, the positions
        whose first or inner key is in :meth:`first_keys`), and only those are tried."""
        f = self.first_keys()
        if cands is None:
            has = f.__contains__
            cands = list(compress(count(), map(or_, map(has, inner), map(has, first))))  # ascending
        out: list[list[tuple[int, int, GazEntry]]] = []
        lo = 0
        at = 0  # index into cands
        for n in lens:
            end = bisect_left(cands, lo + n, at)
            here = cands[at:end]
            if here:
                starts = {c: (inner[c],) if inner[c] == first[c] else (inner[c], first[c]) for c in here}
                out.append(_longest(starts, inner, self.phrases, self.prefixes, f, here, lo, lo + n))
            else:
                out.append([])
            at = end
            lo += n
        return out

    def match_latin(self, tokens: list[str]) -> list[tuple[int, int, GazEntry]]:
        """English/French phrases: acronyms case-sensitive, other names capitalised."""
        keys = [t if t.isupper() else t.casefold() for t in tokens]
        starts = [(k,) if t[:1].isupper() else () for k, t in zip(keys, tokens)]
        return _longest(starts, keys, self.latin, self.latin_prefixes)

    def first_keys(self) -> frozenset[str]:
        """Every key that starts a phrase (a cheap first test before building key tuples; the
        same object until the phrases change)."""
        f = self.__dict__.get("_first_keys")
        if f is None or self.__dict__.get("_first_n") != (len(self.phrases), len(self.prefixes)):
            f = frozenset(k[0] for k in self.phrases) | frozenset(k[0] for k in self.prefixes)
            self._first_keys = f
            self._first_n = (len(self.phrases), len(self.prefixes))
        return f

    def lookup(self, phrase: str) -> GazEntry | None:
        return self.phrases.get(self.phrase_key(phrase))


def _longest(starts: Mapping[int, tuple[str, ...]] | list[tuple[str, ...]], inner: list[str],
             table: Mapping[tuple[str, ...], GazEntry], prefixes: set[tuple[str, ...]],
             firsts: frozenset[str] | None = None, positions: Iterable[int] | None = None, lo: int = 0,
             hi: int | None = None) -> list[tuple[int, int, GazEntry]]:
    """Greedy longest matches in ``inner[lo:hi]`` (offsets from ``lo``), starting on a key of
    ``starts[i]``, tried at ``positions`` (ascending; default: every one)."""
    out = []
    n = len(inner) if hi is None else hi
    nxt = lo  # a match may start here or later
    for i in range(lo, n) if positions is None else positions:
        if i < nxt:
            continue
        best = None
        for k0 in starts[i]:
            if firsts is not None and k0 not in firsts:
                continue
            k = (k0,)
            j = i + 1
            while True:
                e = table.get(k)
                if e is not None and (best is None or j - lo > best[1]):
                    best = (i - lo, j - lo, e)
                if k not in prefixes or j >= n or j - i >= MAX_PHRASE:
                    break
                k = k + (inner[j],)
                j += 1
        if best is not None:
            out.append(best)
            nxt = best[1] + lo
    return out


def alias_tokens() -> Iterable[str]:
    """Every Arabic token of every curated alias (to seed the clitic lexicon)."""
    for fname in ("people.tsv", "organizations.tsv", "agencies.tsv", "outlets.tsv"):
        for row in _read(fname):
            if len(row) > 3:
                for a in row[3].split("|"):
                    yield from a.lstrip("~").split()
    for row in _read("cities.tsv") + _read("landmarks.tsv"):
        if len(row) > 3:
            for a in row[3].split("|"):
                yield from a.lstrip("~").split()
    for row in _read("countries.tsv"):
        if len(row) > 2:
            for a in row[2].split("|"):
                yield from a.split()
    yield from _words("given_names.txt")


@functools.lru_cache(maxsize=1)
def cldr_tokens() -> tuple[str, ...]:
    from babel import Locale

    toks: list[str] = []
    for code, name in Locale("ar").territories.items():
        if len(code) == 2:
            toks.extend(name.split())
    return tuple(toks)
