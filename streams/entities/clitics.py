"""Proclitic and enclitic splitting for Arabic tokens, with offsets.

Arabic attaches conjunctions (و ف), prepositions (ب ل ك) and the article (ال) to the following
word: ``وواشنطن`` = و + واشنطن, ``بالعراق`` = ب + العراق, ``للعراق`` = ل + (ا)ل + عراق. Whether an
initial و/ب/ل/ك/ف is a clitic or part of the word (``واشنطن``, ``بغداد``, ``لبنان``, ``كندا``) is
decided with a frequency lexicon: the prefix is split off only when the remainder is a better
known word than the whole token. ``ال`` is always split (after a proclitic it is unambiguous).

Two views are offered:

* ``split(word)`` -> ``(prefix, core, suffix)`` on the *normalised* word, for features and
  gazetteer keys (core has no proclitics, no article, no enclitic pronoun when that is safe);
* ``mention_start(raw_token)`` -> how many characters of the raw token to skip so a mention
  excludes attached conjunctions/prepositions but keeps the article: ``بالعراق`` -> 1
  (``العراق``), ``وواشنطن`` -> 1, ``لـ`` + tatweel -> 2, ``للعراق`` -> 2 (``عراق``: the article's
  alef is elided in writing, so no substring spells ``العراق``).
"""

from __future__ import annotations

from collections.abc import Mapping

from .normalize import norm, skeleton

_AL_PREFIXES = ("وبال", "وكال", "فبال", "فكال", "ولل", "فلل", "وال", "فال", "بال", "كال", "لل", "ال")
_PLAIN_PREFIXES = ("وب", "ول", "وك", "فب", "فل", "فك", "و", "ف", "ب", "ل", "ك")
_ENCLITICS = ("هما", "كما", "هم", "هن", "كم", "كن", "ها", "نا", "ه", "ك")
_SKIPPABLE = frozenset("\u0640\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670")
# Words that begin with ال but whose ال is not the article, or that are never split.
_NO_SPLIT = frozenset({"الله", "الا", "الي", "الذي", "التي", "الذين", "اللذين", "اللتين", "الان"})

_EMPTY: Mapping[str, int] = {}
_FIRST = frozenset(p[0] for p in _AL_PREFIXES + _PLAIN_PREFIXES) | frozenset("وف")  # a word starting otherwise has none
_LAST = frozenset(s[-1] for s in _ENCLITICS)


def _freq(lex: Mapping[str, int], w: str) -> int:
    return lex.get(w, 0)


def proclitic(w: str, lex: Mapping[str, int] = _EMPTY, *, guess: bool = False) -> str:
    """The proclitic string at the start of the normalised word ``w`` (may be ``""``).

    With ``guess``, an unknown word starting with و or ف whose remainder is long is split too
    (used for entity mentions, where the model has already said the token is a name).
    """
    if len(w) < 3 or w[0] not in _FIRST or w in _NO_SPLIT:
        return ""
    for p in _AL_PREFIXES:
        if w.startswith(p) and len(w) - len(p) >= 2:
            if p == "ال" and _freq(lex, w[2:]) == 0 and _freq(lex, w) > 0 and len(w) <= 4:
                return ""
            return p
    fw = _freq(lex, w)
    for p in _PLAIN_PREFIXES:
        if w.startswith(p):
            rem = w[len(p):]
            if len(rem) < 2:
                continue
            fr = _freq(lex, rem)
            if rem.startswith("ال") and len(rem) > 3:
                fr = max(fr, _freq(lex, rem[2:]))
            if fr >= 2 and fr > 2 * fw:
                return p
    if guess and w[0] in "وف" and fw == 0 and len(w) >= 5 and w[1] not in "يو":
        return w[0]
    return ""


def enclitic(core: str, lex: Mapping[str, int] = _EMPTY) -> str:
    if len(core) < 4 or core[-1] not in _LAST:
        return ""
    fc = _freq(lex, core)
    for s in _ENCLITICS:
        if core.endswith(s):
            rem = core[: -len(s)]
            if len(rem) < 2:
                continue
            fr = _freq(lex, rem)
            if rem.endswith("ت"):  # teh marbuta becomes teh before a pronoun: حكومته
                fr = max(fr, _freq(lex, rem[:-1] + "ه"))
            if fr >= 2 and fr > fc:
                return s
    return ""


def split(word: str, lex: Mapping[str, int] = _EMPTY) -> tuple[str, str, str]:
    """``(prefix, core, suffix)`` of the normalised form of ``word``."""
    w = norm(word)
    p = proclitic(w, lex)
    core = w[len(p):]
    s = enclitic(core, lex)
    if s:
        core = core[: -len(s)]
    return p, core, s


def _raw_index(raw: str, n_letters: int) -> int:
    """Index in ``raw`` just after its first ``n_letters`` significant characters (and any
    diacritics/tatweel that follow them)."""
    seen = 0
    i = 0
    while i < len(raw) and seen < n_letters:
        if raw[i] not in _SKIPPABLE:
            seen += 1
        i += 1
    while i < len(raw) and raw[i] in _SKIPPABLE:
        i += 1
    return i


def mention_start(raw: str, lex: Mapping[str, int] = _EMPTY, *, guess: bool = True) -> int:
    """Characters of the raw token to skip so that the mention excludes attached و ف ب ل ك
    (but keeps the article ال). Returns 0 when nothing is attached; never the whole token."""
    w = norm(raw)
    if len(w) != len(raw.translate(_DROP)):
        return 0
    p = proclitic(w, lex, guess=guess)
    if not p:
        return 0
    if p.endswith("ال") and not p.endswith("لل"):
        n = len(p) - 2  # keep the article
    else:
        n = len(p)
    if n <= 0:
        return 0
    i = _raw_index(raw, n)
    return i if i < len(raw) else 0


_DROP = {ord(c): None for c in _SKIPPABLE}


def article_off(w: str) -> str:
    """A normalised token without its article (``العراق`` -> ``عراق``; not ``الله``, not a short
    word): the key of a phrase's inner token, before :func:`normalize.skeleton`."""
    if w.startswith("ال") and len(w) > 4 and w not in _NO_SPLIT:
        return w[2:]
    return w


def name_key(phrase: str) -> tuple[str, ...]:
    """The gazetteer key of a canonical name (``Gazetteer.phrase_key`` without its caches)."""
    return tuple(skeleton(article_off(norm(t))) for t in phrase.split())
