"""A same-length matching form of the text, so every regex offset is also an offset into ``text``.

Arabic spelling varies in ways that do not change a word (``أن``/``ان``/``إن``, ``ى``/``ي``,
``ة``/``ه``, Arabic-Indic digits). Matching on a one-to-one translation of ``text`` keeps its
offsets exactly, unlike ``text_normalized`` (which drops diacritics and so moves them).
Diacritics become tatweel (``ـ``, which the cleaner has already removed from ``text``), so a
pattern that must see through them allows ``ـ*`` and a dictionary look-up drops it first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_MAP: dict[int, str] = {}
for _src, _dst in (("أإآٱ", "ا"), ("ى", "ي"), ("ة", "ه")):
    for _ch in _src:
        _MAP[ord(_ch)] = _dst
for _digits in ("٠١٢٣٤٥٦٧٨٩", "۰۱۲۳۴۵۶۷۸۹"):
    for _i, _ch in enumerate(_digits):
        _MAP[ord(_ch)] = str(_i)
for _cp in (*range(0x064B, 0x0653), 0x0670):  # harakat, tanwin, shadda, sukun, superscript alef
    _MAP[_cp] = "\u0640"

#: The same mapping as a look-up table over the Basic Multilingual Plane: ``str.translate`` with a
#: dict costs ~100 ns a character on Arabic text, a NumPy gather a few.
_LUT = np.arange(0x10000, dtype=np.uint32)
for _cp, _to in _MAP.items():
    _LUT[_cp] = ord(_to)


_TABLE = str.maketrans(_MAP)
_LUT16 = _LUT.astype(np.uint16)  # the same over UTF-16 code units (a text with no astral character)


def shadow(text: str) -> str:
    """``text`` with spelling variants unified, one character for one character."""
    if len(text) < 256:  # a word or a dateline: the fixed cost of the array round trip would dominate
        return text.translate(_TABLE)
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    out = np.where(cps < 0x10000, _LUT[np.minimum(cps, 0xFFFF)], cps)
    return out.astype(np.uint32).tobytes().decode("utf-32-le", "surrogatepass")


def bare(word: str) -> str:
    """A shadow word without its diacritics (for dictionary look-ups)."""
    return word.replace("\u0640", "")


_PUNCT = '.,،؛;:!?؟"«»“”„()[]{}<>/\\-–—…\'*'
_PUNCT_TO_SPACE = _LUT.copy()
for _ch in _PUNCT:
    _PUNCT_TO_SPACE[ord(_ch)] = 32
_PUNCT_TABLE = str.maketrans({ord(c): " " for c in _PUNCT})  # applied to a shadow (already unified)
_PUNCT16 = _PUNCT_TO_SPACE.astype(np.uint16)


def words_only(s: str) -> str:
    """A shadow with punctuation turned into spaces (same length): ``s.split()`` gives its words."""
    if len(s) < 256:
        return s.translate(_PUNCT_TABLE)
    cps = np.frombuffer(s.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    out = np.where(cps < 0x10000, _PUNCT_TO_SPACE[np.minimum(cps, 0xFFFF)], cps)
    return out.astype(np.uint32).tobytes().decode("utf-32-le", "surrogatepass")


#: quote marks (1), digits of any script the shadow makes ASCII (2) and sentence ends (3), for
#: :func:`shadow_and_words`
QUOTE_MARKS = '"«»“”„'
SENTENCE_ENDS = ".!?؟\n"
_LANDMARK = np.zeros(0x10000, dtype=np.uint8)
_LANDMARK[[ord(c) for c in QUOTE_MARKS]] = 1
_LANDMARK[(_LUT >= 48) & (_LUT <= 57)] = 2
_LANDMARK[[ord(c) for c in SENTENCE_ENDS]] = 3


@dataclass(slots=True)
class Shadowed:
    """A text's shadow ``s``, its words-only form ``w``, and where its quote marks, digits and
    sentence ends are (``None`` for a short text: the finders then look for themselves)."""

    s: str
    w: str
    marks: list[int] | None = None
    digits: list[int] | None = None
    ends: list[int] | None = None


def shadow_and_words(text: str) -> Shadowed:
    """The shadow, its words-only form and where the quote marks, digits and sentence ends are,
    from one pass of table look-ups over ``text`` (the punctuation table maps every shadow letter
    to itself, so it applies to ``text`` directly). The finders then need no regex scan of their
    own for marks, years or sentence bounds."""
    if len(text) < 256:
        s = text.translate(_TABLE)
        return Shadowed(s, s.translate(_PUNCT_TABLE))
    raw = text.encode("utf-16-le", "surrogatepass")
    if len(raw) == 2 * len(text):  # the usual case: every character in the table, one code unit each
        units = np.frombuffer(raw, dtype=np.uint16)
        s = _LUT16[units].tobytes().decode("utf-16-le", "surrogatepass")
        if len(s) == len(text):  # (two lone surrogates side by side would decode as one character)
            return _landmarks(s, _PUNCT16[units].tobytes().decode("utf-16-le", "surrogatepass"), _LANDMARK[units])
    cps = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    small, clipped = cps < 0x10000, np.minimum(cps, 0xFFFF)
    return _landmarks(np.where(small, _LUT[clipped], cps).tobytes().decode("utf-32-le", "surrogatepass"),
                      np.where(small, _PUNCT_TO_SPACE[clipped], cps).tobytes().decode("utf-32-le", "surrogatepass"),
                      np.where(small, _LANDMARK[clipped], 0))


def _landmarks(s: str, w: str, kind: np.ndarray) -> Shadowed:
    at = kind.nonzero()[0]
    found: tuple[list[int], ...] = ([], [], [], [])
    for i, k in zip(at.tolist(), kind[at].tolist()):  # a few dozen: cheaper than a mask per kind
        found[k].append(i)
    return Shadowed(s, w, found[1], found[2], found[3])


def word_set(w: str, keep: frozenset[str] | None = None) -> frozenset[str]:
    """The distinct words of a words-only shadow, without diacritics (only those in ``keep``,
    when given: cheaper than the whole set when the caller needs only some words)."""
    words = (w.replace("\u0640", "") if "\u0640" in w else w).split()
    return frozenset(words) if keep is None else frozenset(keep.intersection(words))


def diacritised_words(w: str):
    """The words of ``w`` that hold a diacritic (a tatweel in the shadow), found from each one:
    between the nearest spaces within a word's length, else (a line break, another kind of space,
    a very long word) character by character."""
    i = w.find("\u0640")
    n = len(w)
    while i >= 0:
        lo, hi = max(0, i - 40), min(n, i + 40)
        a, b = w.rfind(" ", lo, i) + 1, w.find(" ", i, hi)
        b = hi if b < 0 and hi == n else b
        word = w[a:b] if (a > 0 or lo == 0) and b >= 0 else ""
        if not word or len(word.split(None, 1)[0]) != len(word):
            a = i
            while a > 0 and not w[a - 1].isspace():
                a -= 1
            b = i + 1
            while b < n and not w[b].isspace():
                b += 1
            word = w[a:b]
        yield word
        i = w.find("\u0640", b)
