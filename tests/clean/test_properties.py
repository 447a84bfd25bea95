"""Idempotence and totality: the stage's contract, tested on generated input."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from streams.clean import clean_article
from streams.errors import Reason, Rejected

from .conftest import NOW, raw

ARABIC_BITS = [
    "أعلنت الحكومة", "ـــ", "\u064e\u0651", "\u00a0", "\u200f", "\u202b", "\ufef9", "اقرأ أيضا: خبر",
    "// انتهى //", "15:40 ت م", "- جيتي", "(رويترز)", "سبق- جازان:", "واس", "<p>", "</p>", "<br>", "&amp;",
    "&lt;b&gt;", "\n", "\n\n", " ", ".", "؟", "سمات", "رابط الخبر بصحيفة الوئام:", "Next Previous",
    "بغداد - الأناضول", "٢٠١٥", "\r\n", "\x1a\x1a", "للتواصل أرسل sms", "x@y.com", "تصوير: أحمد",
]  # fmt: skip
newsish = st.lists(st.one_of(st.sampled_from(ARABIC_BITS), st.text(max_size=12)), max_size=40).map("".join)
any_text = st.one_of(st.text(max_size=300), newsish)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _clean_or_none(body: str):
    try:
        return clean_article(raw(body), now=NOW)
    except Rejected as exc:
        assert exc.reason in (Reason.EMPTY_BODY, Reason.NOTHING_LEFT), exc
        return None


@SETTINGS
@given(any_text)
@example("بومبيو في مؤتمر صحفي- جيتي\n\nأعلنت واشنطن.\n\nاقرأ أيضا: خبر\n\n\u00a0")
@example("&amp;lt;p&amp;gt;نص")
@example("<P>&ltP&gt<P>")  # escaped markup inside a page: a tag once decoded
@example("Next Previous Next Previous عين اليوم – جدة\nخالد – الرياض\nنص الخبر")
@example("0\u2000")  # U+2000 is NFC'd to U+2002 after the odd-space scan: still an odd space
def test_idempotent(body):
    first = _clean_or_none(body)
    if first is None:
        return
    second = clean_article(raw(first.text), now=NOW)
    assert second.text == first.text
    assert second.text_normalized == first.text_normalized
    assert second.content_hash == first.content_hash
    assert second.removed == [] or all(r.reason == "blank_line" for r in second.removed)


@SETTINGS
@given(any_text)
def test_total(body):
    """Any string: a CleanedArticle or Rejected(EMPTY_BODY | NOTHING_LEFT), nothing else."""
    result = _clean_or_none(body)
    if result is not None:
        assert result.text and result.text == result.text.strip()
        assert "\n\n\n" not in result.text
        assert all(result.text[a:b].strip() == result.text[a:b] != "" for a, b in result.paragraphs)


@pytest.mark.parametrize(
    ("body", "reason"),
    [("", Reason.EMPTY_BODY), ("  \n\t ", Reason.EMPTY_BODY), ("\u00a0\u2003", Reason.EMPTY_BODY),
     ("\u200b\u200f\u202b", Reason.NOTHING_LEFT), ("\u064b\u064c\u0651", Reason.NOTHING_LEFT),
     ("ـــــ", Reason.NOTHING_LEFT), ("// انتهى //\n15:40 ت م", Reason.NOTHING_LEFT),
     ("<html><body><script>x()</script></body></html>", Reason.NOTHING_LEFT), ("!!! ... ؟؟", Reason.NOTHING_LEFT)],
)  # fmt: skip
def test_rejections_are_clear(body, reason):
    with pytest.raises(Rejected) as info:
        clean_article(raw(body), now=NOW)
    assert info.value.reason == reason


def test_huge_inputs_stay_linear():
    unit = "أعلنت الحكومة\u00a0اليوم ـ عن خطة\u200f جديدة. " * 20 + "\n"
    sizes = [len(unit.encode()) * n for n in (370, 3700)]
    times = []
    for n in (370, 3700):
        body = unit * n
        start = time.perf_counter()
        c = clean_article(raw(body), now=NOW)
        times.append(time.perf_counter() - start)
        assert "\u0640" not in c.text and "\u00a0" not in c.text
    assert sizes[1] > 4_000_000  # ~5 MB
    assert times[1] < 5.0
    assert times[1] / max(times[0], 1e-3) < 10 * 3  # 10x the input, well under 30x the time


@pytest.mark.parametrize(
    "body",
    ["<" * 200_000, "<a href=\"" * 50_000, "&amp;" * 100_000, "." * 1_000_000, "<p>" + "<script>" * 50_000,
     "\u064b" * 500_000, "سبق- " * 100_000, "ـ " * 300_000],
)  # fmt: skip
def test_pathological_inputs_are_fast(body):
    start = time.perf_counter()
    try:
        clean_article(raw(body), now=NOW)
    except Rejected as exc:
        assert exc.reason in (Reason.EMPTY_BODY, Reason.NOTHING_LEFT)
    assert time.perf_counter() - start < 5.0


def test_fields_pass_through_and_defaults():
    extra = {"lang_hint": "ar", "nested": {"a": 1}}
    c = clean_article(
        raw("نص الخبر هنا.", title="عنوان\u0640\u0640 الخبر\u200f", source="s", url="u", section="سياسة",
            published_at="p", scraped_at="q", extra=extra),
        ingested_at="2026-11-29T00:00:00.000Z",
    )  # fmt: skip
    assert c.title == "عنوان الخبر"
    assert (c.source, c.url, c.section, c.published_at, c.scraped_at) == ("s", "u", "سياسة", "p", "q")
    assert c.extra == extra and c.ingested_at == "2026-11-29T00:00:00.000Z"
    assert len(c.cleaned_at) == 24 and c.cleaned_at.endswith("Z") and c.cleaned_at[10] == "T"
    assert c.char_count == len(c.text) and c.was_html is False
