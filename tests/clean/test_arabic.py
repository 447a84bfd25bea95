from hypothesis import given, settings
from hypothesis import strategies as st

from streams.clean import arabic


def test_search_form_folds_letters_and_drops_marks():
    assert arabic.normalize_search("أَعْلَنَتْ إِيرانُ مَدْرَسَةً آمِنَةً عَلَى مُؤْتَمَرٍ قائِمٍ") == (
        "اعلنت ايران مدرسه امنه علي موتمر قايم"
    )


def test_search_form_digits_to_ascii():
    assert arabic.normalize_search("عام ٢٠١٥ و۱۴۳۶") == "عام 2015 و1436"


def test_search_form_persian_letters_and_wasla():
    assert arabic.normalize_search("ٱلكتاب کتاب ی") == "الكتاب كتاب ي"


def test_search_form_keeps_non_arabic_text():
    assert arabic.normalize_search("Reuters: café 3.5%") == "Reuters: café 3.5%"


def test_strip_diacritics_keeps_letters():
    assert arabic.strip_diacritics("اقرأ أيضاً") == "اقرأ أيضا"


def _reference_normalize_search(text):
    """The straightforward definition: marks and tatweel out, then every fold, char by char."""
    marks = set(arabic.DIACRITICS + arabic.TATWEEL)
    return "".join(arabic._FOLD.get(c, c) for c in text if c not in marks)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(sorted(set(arabic.DIACRITICS + arabic.TATWEEL + "".join(arabic._FOLD) + "ابت جa1 "))), max_size=80))
def test_normalize_search_matches_its_definition(text):
    assert arabic.normalize_search(text) == _reference_normalize_search(text)


def test_normalize_search_long_text_scanned_in_slices():
    text = ("\u064b" * 70_000) + "أ" + ("\u06f1" * 70_000) + "x"
    assert arabic.normalize_search(text) == "ا" + "1" * 70_000 + "x"
