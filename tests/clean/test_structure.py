import hashlib

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
