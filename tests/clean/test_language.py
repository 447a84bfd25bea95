import pytest

from streams.clean import language

CASES = [
    ("أعلنت الحكومة السعودية اليوم عن خطة جديدة لتنويع مصادر الاقتصاد الوطني", "ar"),
    ("The government announced a new plan on Monday to diversify the national economy.", "en"),
    ("Le gouvernement a annoncé lundi un nouveau plan pour diversifier l'économie nationale.", "fr"),
    ("دولت ایران روز دوشنبه برنامه جدیدی برای اقتصاد کشور اعلام کرد و گفت که", "fa"),
    ("El gobierno anunció el lunes un nuevo plan para diversificar la economía nacional.", "es"),
    ("Правительство в понедельник объявило о новом плане развития экономики страны.", "ru"),
]


@pytest.mark.parametrize(("text", "code"), CASES)
def test_detects_language(text, code):
    lang, confidence = language.detect(text)
    assert lang == code
    assert 0.5 <= confidence <= 1.0


def test_mixed_script_gets_the_dominant_language():
    text = (
        "قال المتحدث باسم الوزارة إن الاجتماع بحث التعاون الاقتصادي بين البلدين وتطوير العلاقات "
        "الثنائية في مجالات الطاقة والاستثمار، مضيفا أن شركة Apple Inc. وGoogle ستشاركان."
    )
    assert language.detect(text)[0] == "ar"
    english = "The minister said the talks covered trade and energy. وقال الوزير إن"
    assert language.detect(english)[0] == "en"


@pytest.mark.parametrize("text", ["", "12345 !!! 678", "ok", "\u064b\u064c\u064d", "🙂🙂🙂"])
def test_unknown_when_too_little_text(text):
    lang, confidence = language.detect(text)
    assert lang == "und"
    assert confidence == 0.0


def test_detectors_are_built_once():
    assert language.detector("arabic") is language.detector("arabic")
    assert language.detector("latin") is language.detector("latin")


def test_bounded_cost_on_huge_text():
    import time

    text = "أعلنت الحكومة اليوم عن خطة جديدة " * 200_000
    start = time.perf_counter()
    assert language.detect(text)[0] == "ar"
    assert time.perf_counter() - start < 0.5


def test_warm_up_builds_every_detector():
    language.warm_up()
    assert {"arabic", "arabic_full", "latin", "any"} <= set(language._detectors)
    assert "latin_full" not in language._detectors  # ~240 MB of models a worker does not need


def test_english_corpus_is_english(en_rows):
    from collections import Counter

    from streams.clean import clean_article

    from .conftest import NOW, to_raw

    langs = Counter(clean_article(to_raw(r), now=NOW).language for r in en_rows)
    assert langs["en"] >= 0.99 * len(en_rows), langs
