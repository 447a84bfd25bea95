"""Sentence ends, quotations and statement cues found by look-up (streams.facts.sentences) agree
with a plain scan of the text, whatever order the reader asks in."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings, strategies as st

from streams.facts.sentences import Layout
from streams.facts.shadow import shadow
from streams.facts.speech import STATEMENT_CUE

ALPHABET = "انبقل 1.2!؟?\n:«»\"“”،ـ"


def _valid_end(layout: Layout, i: int) -> bool:
    s = layout.s
    inside = any(o < i < c for o, c in layout.pairs)
    dotted = s[i] == "." and 0 < i < len(s) - 1 and s[i - 1].isdigit() and s[i + 1].isdigit()
    return s[i] in ".!?؟\n" and not inside and not dotted


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=80), st.lists(st.integers(0, 80), max_size=12))
def test_sentence_bounds_agree_with_a_plain_scan(text, asks):
    layout = Layout(text, shadow(text))
    n = len(text)
    for pos in (min(p, n) for p in asks):
        ends = [i for i in range(pos, n) if _valid_end(layout, i)]
        assert layout.sentence_end(pos) == (ends[0] if ends else n)
        starts = [i for i in range(pos) if _valid_end(layout, i)]
        assert layout.sentence_start(pos) == (starts[-1] + 1 if starts else 0)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=60), st.integers(0, 60), st.integers(0, 60))
def test_statement_cue_by_find_agrees_with_the_pattern(text, a, b):
    s = shadow(text)
    a, b = min(a, len(s)), min(max(a, b), len(s))
    assert Layout(text, s).has_cue(a, b) == (STATEMENT_CUE.search(s, a, b) is not None)


@pytest.mark.parametrize("text,a,b,cue", [
    ("وقال بأن الوفد", 4, 14, True),  # بأن starting a word
    ("وقال بأن الوفد", 6, 14, False),  # the ب before the window: أن follows a letter
    ("وأضاف أنه", 5, 9, True),
    ("وأضاف أنه", 5, 7, False),  # أن cut by the window's end
    ("أكد دعم بيان الحكومة", 3, 20, False),  # ان inside a word
    ("أكد إن", 4, 6, True),  # the letter before the window is seen: a space
    ("صرح: نعم", 3, 8, True),
    ("ذكر «نعم»", 3, 9, True),
])
def test_statement_cue_examples(text, a, b, cue):
    s = shadow(text)
    assert (STATEMENT_CUE.search(s, a, b) is not None) == cue
    assert Layout(text, s).has_cue(a, b) == cue


def test_no_pattern_read_by_search_loops_matches_the_empty_string():
    """``date_words.scan`` and ``TokenStream`` search on from each match's end: they rely on it."""
    from streams.facts import date_words as W
    from streams.facts.speech import TOKEN

    for p in (W.WRITTEN, W.NUMERIC, W.YEAR, W.BARE_YEAR, W.WEEKDAY, W.RELWORD, W.AGO, W.PERIOD, TOKEN):
        for text in ("", " ", "،", "\n", "ال"):
            assert all(m.end() > m.start() for m in p.finditer(text)), p.pattern


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet='ab "\n«»“”', max_size=60))
@example('a"b\n"c"d"')
@example('"a" "b\n\n"c')
def test_straight_marks_pair_as_the_general_pairing_does(text):
    from streams.facts.speech import pair_quote_marks

    marks = [i for i, ch in enumerate(text) if ch in '"«»“”„']
    assert pair_quote_marks(text, marks) == pair_quote_marks(text)  # the second takes the general path
