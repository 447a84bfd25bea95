"""Arabic orthographic normalisation for matching (never for display: offsets stay on the raw text).

``norm`` is what features and gazetteer lookups see: diacritics and tatweel removed, alef/hamza
seats unified, alef maqsura -> yeh, teh marbuta -> heh, Arabic-Indic digits -> ASCII, Latin
lower-cased. It maps one character to at most one character, so ``len(norm(s)) <= len(s)``.

``skeleton`` is coarser and is used only to decide that two mentions name the same entity:
on top of ``norm`` it writes the transliterated /g/ (غ, ج, گ, ق in Egyptian usage is NOT folded)
as ج, drops a standalone hamza and collapses doubled letters.
"""

from __future__ import annotations

import re

_DIACRITICS = "\u0610\u0611\u0612\u0613\u0614\u0615\u0616\u0617\u0618\u0619\u061a" + "".join(
    chr(c) for c in range(0x064B, 0x0660)
) + "\u0670\u06d6\u06d7\u06d8\u06d9\u06da\u06db\u06dc\u06df\u06e0\u06e1\u06e2\u06e3\u06e4\u06e7\u06e8\u06ea\u06eb\u06ec\u06ed\u0640"

_MAP: dict[int, str | None] = {ord(c): None for c in _DIACRITICS}
_MAP.update(
    {
        ord("أ"): "ا",
        ord("إ"): "ا",
        ord("آ"): "ا",
        ord("ٱ"): "ا",
        ord("ٲ"): "ا",
        ord("ٳ"): "ا",
        ord("ى"): "ي",
        ord("ی"): "ي",  # Persian yeh
        ord("ئ"): "ي",
        ord("ؤ"): "و",
        ord("ة"): "ه",
        ord("ۀ"): "ه",
        ord("ک"): "ك",  # Persian keheh
        ord("\u200c"): None,
        ord("\u200d"): None,
        ord("\u200e"): None,
        ord("\u200f"): None,
    }
)
for _i in range(10):
    _MAP[0x0660 + _i] = str(_i)
    _MAP[0x06F0 + _i] = str(_i)

_SKEL = {ord("غ"): "ج", ord("گ"): "ج", ord("ء"): None, ord("ڤ"): "ف", ord("پ"): "ب", ord("چ"): "ج"}
_DOUBLE = re.compile(r"(.)\1+")


def norm(s: str) -> str:
    return s.translate(_MAP).lower()


def skeleton(s: str) -> str:
    """Spelling-insensitive key: مورغان أورتاغوس == مورجان أورتاجوس."""
    k = norm(s).translate(_SKEL).split()
    if len(k) == 1:  # one word (the common case, without the generator)
        w = k[0]
        return _DOUBLE.sub(r"\1", w) if len(w) >= 5 else w
    return " ".join(_DOUBLE.sub(r"\1", w) if len(w) >= 5 else w for w in k)


_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")


def arabic_ratio(s: str) -> float:
    letters = sum(1 for ch in s if ch.isalpha())
    if not letters:
        return 0.0
    return len(_ARABIC.findall(s)) / letters
