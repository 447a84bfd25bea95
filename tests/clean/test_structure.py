import hashlib
import re as _re

from hypothesis import given, settings
from hypothesis import strategies as st

from streams.clean import structure


def test_offsets_point_at_paragraphs():
    paras = ["أول فقرة.", "second", "ثالثة"]
    text, offsets = structure.join_paragraphs(paras)
    assert text == "أول فقرة.\n\nsecond\n\nثالثة"
    assert [text[a:b] for a, b in offsets] == paras


def test_sentence_count_ignores_abbreviations_and_counts_headlines():
    text = "قال د. محمد إن الوضع جيد. وأضاف: هل هذا صحيح؟ نعم!\n\nعنوان بلا نقطة"
    assert structure.sentence_count(text, text.split("\n\n")) == 4
    assert structure.sentence_count("Version 3.5 is out.", ["Version 3.5 is out."]) == 1


def test_word_count_skips_free_standing_punctuation():
    assert structure.word_count("قال ، إن - الوضع ... جيد 2015") == 5


def test_content_hash_is_sha256_of_normalized():
    assert structure.content_hash("abc") == hashlib.sha256(b"abc").hexdigest()


def test_counters_are_linear_on_pathological_runs():
    import time

    start = time.perf_counter()
    dots = "." * 2_000_000
    structure.sentence_count(dots, [dots])
    structure.word_count("، " * 1_000_000)
    assert time.perf_counter() - start < 3.0


# -- the fast counts against their straightforward definitions ------------------------------------

_ALPHABET = list(" \n.!?؟…۔\"'»”)]،-:دأمDrMsStNoabا\u064b\t\u00a0") + [" د. ", " أ.د. ", " Dr. ", ". ", "..."]


def _reference_sentences(text, paragraphs):
    ends = sum(1 for m in _re.findall(r"[.!?؟…۔]++[\s\"'»”)\]]?", text + "\n") if m[-1] not in ".!?؟…۔")
    ends -= sum(text.count(a) for a in structure._ABBREVIATIONS)
    unterminated = sum(1 for p in paragraphs if not p.rstrip("\"'»”)]") or p.rstrip("\"'»”)]")[-1] not in ".!?؟…۔")
    return max(ends, 0) + unterminated


def _reference_words(text):
    return len(text.split()) - _re.subn(r"\s[^\w\s]++(?=\s)", "", " " + text + " ")[1]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(_ALPHABET), max_size=30).map("".join))
def test_counts_match_their_definitions(raw):
    paragraphs = [" ".join(line.split()) for line in raw.splitlines() if line.split()]
    text = "\n\n".join(paragraphs)
    for t in (raw, text):
        assert structure.sentence_count(t, paragraphs) == _reference_sentences(t, paragraphs)
        assert structure.word_count(t) == _reference_words(t)
    assert structure.word_count(text, paragraphs) == _reference_words(text)
    assert structure.sentence_count(text, paragraphs, hygienic=True) == _reference_sentences(text, paragraphs)
