"""The shadow form (same length as the text) and the word look-ups built on it."""

from __future__ import annotations

from datetime import date

import pytest

from streams.facts.dates import find_dates
from streams.facts.shadow import diacritised_words, shadow, shadow_and_words, word_set, words_only

SAMPLES = [
    "",
    "قالَ الوزيرُ: «إنّ الاتفاقَ سيُوقَّع» في ٢٠١٥/٨/١٠.",
    "أكد المتحدث أن 😀 الوفد (رويترز) سيصل يوم الأحد، مضيفةً: \"نعم\".\n\nإلى اللقاء…",
    "نص فيه نصفا زوج بديل منفصلان \ud800\udc00 و\udc00 وحده.",  # lone surrogates must stay two characters
]


@pytest.mark.parametrize("text", [t * k for t in SAMPLES for k in (1, 40)])  # both the short and the array path
def test_shadow_and_words_is_the_two_forms_and_the_landmarks_in_one_pass(text):
    sh = shadow_and_words(text)
    assert (sh.s, sh.w) == (shadow(text), words_only(shadow(text)))
    assert len(sh.s) == len(sh.w) == len(text)
    if sh.marks is not None:  # the array path also tells where quote marks, digits and sentence ends are
        assert sh.marks == [i for i, ch in enumerate(text) if ch in '"«»“”„']
        assert sh.digits == [i for i, ch in enumerate(sh.s) if ch in "0123456789"]
        assert sh.ends == [i for i, ch in enumerate(text) if ch in ".!?؟\n"]
    else:
        assert len(text) < 256


def test_word_set_keeps_only_the_asked_words_without_diacritics():
    w = words_only(shadow("قـالَ الوزير، وأضاف: نعم"))
    assert word_set(w) == {"قال", "الوزير", "واضاف", "نعم"}
    assert word_set(w, frozenset({"قال", "واضاف", "ذكر"})) == {"قال", "واضاف"}


def test_diacritised_words_are_whole_words():
    w = words_only(shadow("وقالَ الوزيرُ\nمضيفةً نعم"))
    assert list(diacritised_words(w)) == ["وقالـ", "الوزيرـ", "مضيفهـ"]


def test_a_month_after_a_diacritised_proclitic_is_found_and_al_dhi_is_no_month():
    anchor = date(2015, 8, 20)
    found = find_dates("الذي وصل بِأغسطس 2015 ثم الذي في ذي القعدة 1436 هـ", anchor)
    assert [(d.text, d.value) for d in found] == [("أغسطس 2015", "2015-08"), ("ذي القعدة 1436 هـ", "2015-08")]


def test_diacritised_words_with_any_kind_of_space():
    w = "قالـ\tوقالـ\u2003ذكرـ\x0bنعمـ"
    assert list(diacritised_words(w)) == ["قالـ", "وقالـ", "ذكرـ", "نعمـ"]


def test_diacritised_words_at_the_edges_and_in_long_words():
    long = "ب" * 60 + "ـ" + "ت" * 60
    for w in ("قالـ", "ـ", " قالـ ", "أ\nقالـ\nب", long, "x " + long + " y", "قالـ" + " " * 50 + "ذكرـ"):
        assert list(diacritised_words(w)) == [x for x in w.split() if "ـ" in x], w
