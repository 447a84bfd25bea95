"""Quote spans and speakers on hand-made sentences of every pattern (no shared data needed)."""

from __future__ import annotations

import pytest

from streams.facts.quotes import find_quotes


def _at(text: str, phrase: str, typ: str, idx: int) -> tuple[int, int, int, str]:
    s = text.index(phrase)
    return (s, s + len(phrase), idx, typ)


def test_named_speaker_direct_quote_links_the_person():
    text = 'وقالت المتحدثة باسم الخارجية الأمريكية مورغان أورتاغوس، في بيان: "لن نناقش انسحاب القوات الآن".'
    ents = [_at(text, "مورغان أورتاغوس", "PER", 0), _at(text, "لخارجية الأمريكية", "ORG", 1)]
    [q] = find_quotes(text, ents)
    assert q.direct and q.text == "لن نناقش انسحاب القوات الآن" and text[q.start:q.end] == q.text
    assert q.verb == "وقالت"
    assert q.speaker.text == "المتحدثة باسم الخارجية الأمريكية مورغان أورتاغوس" and q.speaker.entity == 0


def test_reported_statement_after_an_and_its_pronoun_forms():
    text = "وأكد وزير الخارجية عادل الجبير أن المملكة لن تتراجع عن موقفها. وأوضحت الوزارة أنها تتابع الوضع."
    qs = find_quotes(text, [_at(text, "عادل الجبير", "PER", 3)])
    assert [(q.direct, q.verb, q.text) for q in qs] == [
        (False, "وأكد", "المملكة لن تتراجع عن موقفها"), (False, "وأوضحت", "تتابع الوضع")]
    assert qs[0].speaker.entity == 3 and qs[1].speaker.text == "الوزارة" and qs[1].speaker.entity is None


def test_continuation_takes_the_previous_speaker_of_the_same_gender():
    text = ('وقالت الوزيرة سارة العلي إن الخطة جاهزة. وقال المدير خالد سعد إن التمويل متوفر. '
            'وأضافت أن التنفيذ يبدأ قريبا. وأضاف أن الفرق مستعدة، مشيرا إلى أن العمل مستمر.')
    ents = [_at(text, "سارة العلي", "PER", 0), _at(text, "خالد سعد", "PER", 1)]
    qs = find_quotes(text, ents)
    assert [q.speaker.entity for q in qs] == [0, 1, 0, 1, 1]
    assert [q.verb for q in qs] == ["وقالت", "وقال", "وأضافت", "وأضاف", "مشيرا"]
    assert qs[3].text == "الفرق مستعدة"  # the participle starts a new statement


def test_feminine_participle_continues_a_feminine_speaker():
    text = 'وأكدت أورتاغوس على استمرار الوجود لـ"مواصلة الكفاح ضد التنظيم"، مضيفة: "نحن ملتزمون بحماية شركائنا".'
    qs = find_quotes(text, [_at(text, "أورتاغوس", "PER", 5)])
    assert [(q.direct, q.text, q.speaker.entity) for q in qs] == [
        (True, "مواصلة الكفاح ضد التنظيم", 5), (True, "نحن ملتزمون بحماية شركائنا", 5)]


def test_role_or_body_without_a_name():
    text = "وقال المتحدث الأمني لوزارة الداخلية إن قوات الأمن أحبطت المحاولة. وذكرت مصادر أن التحقيق مستمر."
    qs = find_quotes(text, [_at(text, "وزارة الداخلية", "ORG", 2)])
    assert qs[0].speaker.text == "المتحدث الأمني لوزارة الداخلية" and qs[0].speaker.entity == 2
    assert qs[1].speaker.text == "مصادر" and qs[1].speaker.entity is None


def test_relayed_statement_keeps_the_relay_as_via():
    text = 'بدورها، نقلت وكالة "رويترز" عن بيان للخارجية الأمريكية أن بومبيو بحث توسيع قوة الحلف.'
    ents = [_at(text, "رويترز", "ORG", 0), _at(text, "لخارجية الأمريكية", "ORG", 1)]
    [q] = find_quotes(text, ents)
    assert q.text == "بومبيو بحث توسيع قوة الحلف" and not q.direct
    assert q.speaker.text == "بيان للخارجية الأمريكية" and q.speaker.entity == 1
    assert q.via.text == 'وكالة "رويترز"' and q.via.entity == 0


def test_names_in_quote_marks_are_not_quotations():
    text = 'وصل وفد من حلف "الناتو" إلى مقر وكالة "الأنباء السعودية الرسمية" أمس.'
    assert find_quotes(text) == []


@pytest.mark.parametrize("marks", [("«", "»"), ("“", "”"), ("”", "“"), ('"', '"')])
def test_every_kind_of_quote_mark(marks):
    o, c = marks
    text = f"وقال الوزير: {o}نعمل على تطوير الخدمات للمواطنين{c}."
    [q] = find_quotes(text)
    assert q.direct and q.text == "نعمل على تطوير الخدمات للمواطنين"


def test_unbalanced_and_nested_marks_give_no_overlap_and_no_error():
    text = ('وقال الوزير: «إن شعار "معا نبني الوطن" يجمعنا كلنا» وأضاف: "هذا لا ينتهي\n\n'
            'وقال المدير: «نعمل بجد» » « "')
    qs = find_quotes(text)
    spans = [(q.start, q.end) for q in qs]
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))
    assert qs[0].text == 'إن شعار "معا نبني الوطن" يجمعنا كلنا'
    assert all(text[q.start:q.end] == q.text for q in qs)


def test_quotation_opening_a_paragraph_continues_the_speaker():
    text = 'وقال رئيس الجمعية أحمد سالم: "بدأنا العمل مبكرا هذا العام".\n\n"وسنواصل العمل حتى نهاية الموسم".'
    qs = find_quotes(text, [_at(text, "أحمد سالم", "PER", 0)])
    assert [q.speaker.entity for q in qs] == [0, 0] and qs[1].verb is None


def test_huge_quotation_and_bad_input_are_linear_and_total():
    huge = 'وقال الوزير: "' + "كلمة " * 100_000 + '".'
    [q] = find_quotes(huge)
    assert q.direct and len(q.text.split()) == 100_000
    assert find_quotes("") == [] and find_quotes('"""«««»»»“”') == []
    assert find_quotes("قال " * 50_000) == []


def test_the_narrators_subject_speaks_when_the_verb_has_none():
    text = ("وتبنت الحركة الانفصالية الكردية الأربعاء قتل شرطيين. وقالت: إن العملية رد على الهجوم.\n\n"
            "وكانت المادة الثانية من النظام اكدت انه يحظر الاتجار.")
    qs = find_quotes(text)
    assert [(q.text, q.speaker.text) for q in qs] == [
        ("العملية رد على الهجوم", "الحركة الانفصالية الكردية"), ("يحظر الاتجار", "المادة الثانية")]


def test_speech_participle_without_an_or_colon():
    text = "وقال الوزير خالد سعد إن العمل بدأ، مضيفا سهلت البوابة الإجراءات للجميع."
    qs = find_quotes(text, [_at(text, "خالد سعد", "PER", 0)])
    assert [(q.verb, q.text, q.speaker.entity) for q in qs] == [
        ("وقال", "العمل بدأ", 0), ("مضيفا", "سهلت البوابة الإجراءات للجميع", 0)]


def test_impersonal_background_is_nobodys_statement():
    assert find_quotes("يذكر أن الهيئة هي الجهة المختصة بالتحقيق.") == []


def test_a_role_written_earlier_before_a_name_is_that_person():
    text = ("استقبل الرئيس اليمني عبدربه منصور هادي الوفد في عدن. وأكد الرئيس اليمني أن الحكومة باقية. "
            "وقال تعالى إن الحق واضح.")
    qs = find_quotes(text, [_at(text, "عبدربه منصور هادي", "PER", 4)])
    role = qs[0].speaker
    assert (role.text, role.entity) == ("الرئيس اليمني عبدربه منصور هادي", 4)
    assert text[role.start:role.end] == role.text and role.start < text.index("وأكد")
    assert qs[1].speaker.text == "تعالى" and qs[1].speaker.entity is None  # not a definite role: left as written


def test_a_person_named_right_before_the_verb_is_its_subject():
    text = "وتحدث إردوغان عن الإرهاب. إلا أن رئيس الحكومة أحمد داود أوغلو أعلن أن الانتخابات ستجرى."
    ents = [_at(text, "إردوغان", "PER", 1), _at(text, "أحمد داود أوغلو", "PER", 2)]
    [q] = find_quotes(text, ents)
    assert (q.speaker.text, q.speaker.entity, q.verb) == ("أحمد داود أوغلو", 2, "أعلن")
