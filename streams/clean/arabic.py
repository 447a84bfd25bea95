"""Arabic orthography: what the display text keeps and what the search form folds away.

Two forms, two jobs (see :mod:`streams.records`):

* display ``text``: tatweel (kashida) is deleted, because it is pure typography and breaks
  matching; diacritics are **kept**, because when a writer adds them they carry meaning
  (``عَلِم`` vs ``عُلِم``) and entity offsets must point into what a reader sees.
* ``text_normalized`` (search form): diacritics and Quranic marks dropped; alef variants,
  alef maqsura, teh marbuta and hamza carriers unified; Persian yeh/keheh folded to the Arabic
  letters; Arabic-Indic and Extended Arabic-Indic digits to ASCII. This is the folding CAMeL
  Tools (``dediac_ar``, ``normalize_alef_ar``, ``normalize_alef_maksura_ar``,
  ``normalize_teh_marbuta_ar``) and Lucene's ``ArabicNormalizer`` apply, done here as a single
  ``str.translate`` pass so it costs one walk over the text.
"""

from __future__ import annotations

import re

TATWEEL = "\u0640"

#: Harakat, tanwin, shadda, sukun, hamza above/below marks, superscript alef and the
#: Quranic annotation signs: removed in the search form only.
DIACRITICS = (
    "".join(chr(c) for c in range(0x064B, 0x0660))
    + "\u0670"
    + "".join(chr(c) for c in range(0x06D6, 0x06DD))
    + "".join(chr(c) for c in range(0x06DF, 0x06E5))
    + "\u06E7\u06E8"
    + "".join(chr(c) for c in range(0x06EA, 0x06EE))
    + "".join(chr(c) for c in range(0x0610, 0x061B))
)

_FOLD = {
    "\u0622": "\u0627",  # آ -> ا
    "\u0623": "\u0627",  # أ -> ا
    "\u0625": "\u0627",  # إ -> ا
    "\u0671": "\u0627",  # ٱ (wasla) -> ا
    "\u0672": "\u0627",
    "\u0673": "\u0627",
    "\u0649": "\u064A",  # ى -> ي
    "\u06CC": "\u064A",  # Persian yeh -> ي
    "\u06D2": "\u064A",  # yeh barree -> ي
    "\u0629": "\u0647",  # ة -> ه
    "\u06C0": "\u0647",  # heh with yeh above -> ه
    "\u0624": "\u0648",  # ؤ -> و
    "\u0626": "\u064A",  # ئ -> ي
    "\u06A9": "\u0643",  # keheh -> ك
}

_FOLD.update({chr(0x0660 + i): str(i) for i in range(10)})  # ٠..٩
_FOLD.update({chr(0x06F0 + i): str(i) for i in range(10)})  # ۰..۹ (Persian/Urdu)

_DIACRITICS_RE = re.compile("[" + DIACRITICS + TATWEEL + "]+")
#: Letters frequent in every Arabic article: replaced unconditionally (one memchr-speed pass each).
_COMMON = tuple((k, v) for k, v in _FOLD.items() if k in "\u0622\u0623\u0625\u0649\u0629\u0624\u0626")
_RARE = {k: v for k, v in _FOLD.items() if k not in dict(_COMMON)}
#: Everything the search form deletes or folds apart from the seven common letters: one scan
#: (usually no hit, or a few tanwin/shadda) tells which ones this text has.
_SPECIAL = {c: "" for c in DIACRITICS + TATWEEL} | _RARE
_SPECIAL_RE = re.compile("[" + "".join(_SPECIAL) + "]")


_CHUNK = 1 << 16


def distinct_chars(char_re: re.Pattern[str], text: str) -> set[str]:
    """The distinct characters ``char_re`` (a one-character class) finds in ``text``, in one scan;
    a long text is scanned in 64 K-character slices so a flood (a megabyte of marks) never
    builds a list of a million one-character strings."""
    if len(text) <= _CHUNK:
        return set(char_re.findall(text))
    found: set[str] = set()
    for start in range(0, len(text), _CHUNK):
        found.update(char_re.findall(text, start, start + _CHUNK))
    return found


def normalize_search(text: str) -> str:
    """The search form of display text.

    Why not one ``str.translate``: CPython's translate does a dict lookup per character and
    measured ~10x slower than this. One regex scan finds which marks, digits and Persian/Urdu
    letters occur (most texts: none or a couple of distinct marks), each is then removed or
    folded with ``str.replace``, like the seven letters every Arabic article has (memchr speed).
    Every mapping is one character to at most one character that no other mapping reads, so the
    order of the replacements does not matter.
    """
    for c in distinct_chars(_SPECIAL_RE, text):
        text = text.replace(c, _SPECIAL[c])
    for k, v in _COMMON:
        text = text.replace(k, v)
    return text


def strip_diacritics(text: str) -> str:
    """Display text minus diacritics only (no letter folding); handy for matching lists."""
    return _DIACRITICS_RE.sub("", text)
