"""Each boilerplate shape: removed from the text, kept in its field, audited in ``removed``."""

import pytest

from .conftest import clean

BODY = "أعلنت الحكومة اليوم عن خطة جديدة لتنويع مصادر الاقتصاد الوطني."


def reasons(c):
    return [r.reason for r in c.removed]


def test_was_dateline_and_signoff():
    c = clean(
        " الباحة 25 شوال 1436هـ الموافق 10 أغسطس 2015م واس\n " + BODY + "\n // انتهى //\n 15:40 ت م \n "
    )
    assert c.text == BODY
    assert c.dateline.place == "الباحة"
    assert c.dateline.agency == "واس"
    assert c.dateline.date.startswith("25 شوال 1436")
    assert reasons(c).count("signoff") == 2 and "dateline" in reasons(c)


def test_place_agency_line():
    c = clean("بغداد - الأناضول\n" + BODY)
    assert c.text == BODY
    assert (c.dateline.place, c.dateline.agency) == ("بغداد", "الأناضول")


@pytest.mark.parametrize(
    ("head", "place", "agency", "byline"),
    [
        ("سبق- جازان: ", "جازان", "سبق", None),
        ("واس- عدن: ", "عدن", "واس", None),
        ("محمد أبو شعر- سبق: ", None, "سبق", "محمد أبو شعر"),
        ("لجين الأحمدي – عين اليوم\n", None, "عين اليوم", "لجين الأحمدي"),
        ("أحمد البشيري-الباحة\n", "الباحة", None, "أحمد البشيري"),
        ("خالد سجاف ـ الدمام ", "الدمام", None, "خالد سجاف"),
        ("Next Previous عين اليوم – جدة\n", "جدة", "عين اليوم", None),
        ("دمشق، سوريا (CNN) -- ", "دمشق، سوريا", "CNN", None),
    ],
)
def test_head_datelines_and_bylines(head, place, agency, byline):
    c = clean(head + BODY)
    assert c.text == BODY
    assert c.byline == byline
    assert (c.dateline.place if c.dateline else None) == place
    assert (c.dateline.agency if c.dateline else None) == agency
    if byline:
        assert c.authors == [byline]


def test_byline_marker_line():
    c = clean("بقلم: سارة العتيبي\n" + BODY)
    assert c.text == BODY and c.byline == "سارة العتيبي"


def test_ordinary_first_sentence_with_dash_is_kept():
    body = "قال وزير الخارجية - في بيان: إن المحادثات مستمرة.\n" + BODY
    c = clean(body)
    assert c.text.startswith("قال وزير الخارجية - في بيان: إن المحادثات مستمرة.")
    assert c.dateline is None and c.byline is None


@pytest.mark.parametrize(
    "teaser",
    ["اقرأ أيضا: تفاصيل رسالة عاجلة", "اقرأ أيضاً: خبر آخر", "إقرأ أيضا: خبر", "شاهد أيضا: فيديو",
     "Read more: another story", "Lire aussi : autre chose"],
)  # fmt: skip
def test_read_also_teasers(teaser):
    c = clean(BODY + "\n\n" + teaser + "\n\n" + BODY)
    assert c.text == BODY + "\n\n" + BODY
    assert [(r.reason, r.text) for r in c.removed] == [("read_also", teaser)]


@pytest.mark.parametrize("caption", ["بومبيو يتحدث في مؤتمر صحفي- جيتي", "جنود في بغداد (رويترز)", "متظاهرون في باريس (أ ف ب)"])
def test_captions_with_credit(caption):
    c = clean(caption + "\n\n" + BODY)
    assert c.text == BODY and c.captions == [caption]


def test_sentence_quoting_an_agency_is_not_a_caption():
    body = "ونقلت الوكالة عن مصدر قوله. وأكد المصدر الخبر لوكالة (رويترز)"
    assert clean(body).text == body


def test_photo_credits():
    c = clean(BODY + "\n(تصوير: قاسم العنزي)\nتصوير : صالح العبداللطيف")
    assert c.text == BODY
    assert c.captions == ["(تصوير: قاسم العنزي)", "تصوير : صالح العبداللطيف"]


def test_share_line_inline_and_alone():
    c = clean(BODY + " رابط الخبر بصحيفة الوئام: عنوان الخبر\nشارك على تويتر")
    assert c.text == BODY
    assert reasons(c) == ["share", "share"]


def test_contact_block_and_email():
    tail = (
        "\n\nalrotayyan@gmail.com\nللتواصل مع الكاتب ارسل رسالة SMS\nتبدأ بالرمز (1) ثم مسافة ثم نص الرسالة إلى\n"
        "88591 - Stc\n635031 - Mobily\n737221 - Zain "
    )
    c = clean(BODY + tail)
    assert c.text == BODY
    assert reasons(c) == ["contact", "contact"]


def test_tag_list():
    c = clean(BODY + " سمات أبها أمطار الأرصاد عسير")
    assert c.text == BODY
    assert [(r.reason, r.text) for r in c.removed] == [("tags", "سمات أبها أمطار الأرصاد عسير")]


def test_tags_word_in_a_sentence_is_kept():
    body = "وهذه من سمات الشخصية القيادية"
    assert clean(body).text == body


def test_marked_captions():
    c = clean(BODY + "\n\x1a\x1a سيدة تمارس مهنة التطريز\n")
    assert c.text == BODY and c.captions == ["سيدة تمارس مهنة التطريز"]


def test_marker_before_a_long_paragraph_keeps_the_text():
    long = "ظهيرة اليوم الأول من رمضان وفيما يعج الشارع التجاري بحركة نشطة، " * 6
    c = clean("\x1a\x1a " + long.strip())
    assert c.text == long.strip() and c.captions == []


def test_read_more_and_navigation():
    c = clean("Next Previous " + BODY + "\n...المزيد")
    assert c.text == BODY
    assert reasons(c) == ["navigation", "read_more"]


def test_fixed_point_caption_then_dateline():
    c = clean("صورة من الاجتماع (رويترز)\nبغداد - الأناضول\n" + BODY + "\n// انتهى //")
    assert c.text == BODY
    assert c.dateline.place == "بغداد" and c.captions == ["صورة من الاجتماع (رويترز)"]


# -- the cheap edge-character gates in front of the anywhere-rules must never skip a match --------

_GATE_SAMPLES = {
    "read": ["اقرأ أيضا: خبر", "أقرا كذلك", "إقرأ المزيد", "شاهد أيضا", "طالع ايضاً", "تابع أيضا", "للمزيد: هنا",
             "مواضيع ذات صلة", "أخبار متعلقة", "اخبار ذات صلة", "مقالات ذات صلة", "ذات صلة: خبر", "Read also x",
             "Read more x", "See also x", "Related: x", "Lire aussi x", "À lire aussi x", "A lire aussi x",
             "Voir aussi x"],
    "share": ["رابط الخبر بصحيفة الوئام: x", "شارك", "شارك الخبر: x", "تابعونا على تويتر", "تابعنا على x",
              "لمتابعة الأخبار على تويتر", "Share this", "Share on x", "Follow us", "Subscribe", "Sign up",
              "اشترك في النشرة", "للاشتراك اضغط"],
    "signoff": ["// انتهى //", "/ يتبع /", "- انتهى -", " انتهى", "انتهى", "15:40 ت م", "٣:٤٠ ت غ"],
    "photo": ["تصوير: محمد", "(تصوير: محمد)", "[عدسة: محمد]", " الصورة: x", "صورة: x", "أرشيف/ x", "ارشيف: x",
              "Photo: x", "Photograph: x", "Credit: x", "Image: x"],
    "caption": ["الوزير في مؤتمر صحفي - جيتي", "الوزير في مؤتمر صحفي (غيتي)", "a b c - Getty", "a b c - Getty Images",
                "a b c - رويترز", "a b c (Reuters)", "a b c - أ ف ب", "a b c [AFP]", "a b c - AP", "a b c - EPA",
                "a b c - إ ب أ", "a b c - ا ب ا", "a b c - الأناضول", "a b c - أرشيفية", "a b c - ارشيف",
                "a b c - أسوشيتد برس", "a b c - الفرنسية", "a b c - متداولة", "a b c - مواقع التواصل",
                "a b c - تويتر", "a b c - فيسبوك", "a b c - Twitter", "a b c - Facebook", "a b c - Shutterstock",
                "a b c - iStock", "a b c - جيتي )"],
}


@pytest.mark.parametrize("rule", sorted(_GATE_SAMPLES))
def test_edge_gates_cover_every_matching_character(rule):
    """Every BMP code point (surrogates included) that can stand at the gated edge of a matching
    paragraph is in the gate (astral characters have no case variants among these letters)."""
    import streams.clean.boilerplate as b

    rx, at_end, gate = {
        "read": (b._READ_ALSO_RE, False, b._READ_FIRST.__contains__),
        "share": (b._SHARE_RE, False, b._READ_FIRST.__contains__),
        "signoff": (b._SIGNOFF_PARA_RE, False, lambda c: c in b._SIGNOFF_FIRST or c.isspace() or c.isdecimal()),
        "photo": (b._PHOTO_CREDIT_RE, False, lambda c: c in b._PHOTO_FIRST or c.isspace()),
        "caption": (b._CAPTION_RE, True, lambda c: c in b._CAPTION_LAST or c.isspace()),
    }[rule]
    match = rx.search if at_end else rx.match
    for sample in _GATE_SAMPLES[rule]:
        assert match(sample), sample
        for cp in range(0x10000):
            c = chr(cp)
            s = sample[:-1] + c if at_end else c + sample[1:]
            if not gate(c) and match(s):
                pytest.fail(f"{rule}: {c!r} (U+{cp:04X}) can match but is not in the gate: {s!r}")
