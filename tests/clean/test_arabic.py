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
