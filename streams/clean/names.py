"""The agency and place names the cleaner's dateline and byline rules recognise, stored in search
form (:func:`arabic.normalize_search`) so spelling variants (أ/ا, ة/ه, diacritics) all hit.

One home per vocabulary: agencies and places are read from the entity gazetteers' data files
(``streams/entities/data``: ``agencies.tsv``; ``cities.tsv`` and ``countries.tsv``), plus the names
below that those files do not hold. The extra lists keep the cleaner's output exactly as it was
when the lists were merged (clean digest unchanged): shrink them only with a fresh clean digest.
"""

from __future__ import annotations

from ..entities.data import column_variants, read_table, variants
from .arabic import normalize_search

# Saudi and Arab outlets that are not agencies in the gazetteer's sense, generic credits
# (``وكالات``, ``متابعات``), and single words of multi-word names (``فرانس``, ``أ``, ``ب``: the
# old list was split on spaces, and bylines ending in such a word were kept as datelines).
_AGENCIES_NOT_IN_DATA = """
سبق وكالات متابعات فرانس برس بنا عين اليوم الرياضية الرياضي الوطن الاقتصادية الشرق الأوسط عكاظ
المدينة الوئام إيلاف نت العربية.نت سكاي نيوز عربية بي سي القدس العربي الجديد الحياة إن أ ف ب أف
د ش يو آي أسوشيتد وكالة الأنباء السعودية للأنباء
"""
_MULTI_WORD_AGENCIES_NOT_IN_DATA = [
    "عين اليوم", "الشرق الأوسط", "القدس العربي", "العربي الجديد", "أف ب", "أ ش أ", "يو بي آي",
    "وكالات الأنباء", "الأناضول للأنباء",
]  # fmt: skip

# Saudi cities, governorates and regions, a few more cities, and words a dateline uses as a
# place (``المملكة``, ``الأمم المتحدة``, ``الاتحاد الأوروبي``).
_PLACES_NOT_IN_DATA = """
الخبر الظهران الأحساء القطيف الجبيل الطائف تبوك أبها خميس_مشيط جازان جيزان نجران الباحة حائل عرعر
سكاكا الجوف القصيم بريدة عنيزة الخرج ينبع رابغ القنفذة القريات رفحاء حفر_الباطن الدوادمي المجمعة
شقراء بيشة صبيا محايل تنومة النماص المنطقة_الشرقية الحدود_الشمالية عسير الشرقية وادي_الدواسر
الشارقة المكلا حضرموت صيدا الخليل نابلس العريش كانبيرا سيدني لشبونة أمستردام ستوكهولم أوسلو
ياوندي نيروبي أديس_أبابا داكار أبوجا لاغوس جاكرتا كوالالمبور مانيلا
المدينة المملكة الأمم_المتحدة الاتحاد_الأوروبي Washington New_York
"""


def _key(text: str) -> str:
    return " ".join(normalize_search(text).replace(".", " ").split()).casefold()


# Photo agencies: a line ending in ``- جيتي`` is a caption (see ``_CREDIT``), never a dateline.
_NOT_DATELINE_AGENCIES = frozenset({"Getty Images"})


def _agency_names() -> list[str]:
    """Arabic names, English names and Latin aliases of the gazetteer's agencies and outlets
    (photo agencies left out)."""
    return [v for row in read_table("agencies.tsv") if len(row) > 2 and row[2].strip() not in _NOT_DATELINE_AGENCIES
            for cell in row[2:5] for v in variants(cell)]


def _place_names() -> list[str]:
    """The gazetteer's curated cities (English and Arabic) and its countries' Arabic variants."""
    return column_variants("cities.tsv", 2) + column_variants("cities.tsv", 3) + column_variants("countries.tsv", 2)


AGENCIES = frozenset(_key(a) for a in _agency_names() + _AGENCIES_NOT_IN_DATA.split() + _MULTI_WORD_AGENCIES_NOT_IN_DATA)
PLACES = frozenset(_key(p) for p in _place_names()) | frozenset(_key(p.replace("_", " ")) for p in _PLACES_NOT_IN_DATA.split())
