"""Hand-checked golden test on the article the project started from."""

from __future__ import annotations

import json

import pytest

from streams.clean import clean_article
from streams.records import RawArticle

from .conftest import NOW

CAPTION = "بومبيو بحث مع نظيره الكندي توسيع قوة حلف الأطلسي في العراق رغم طلب الأخير خروج القوات الأجنبية- جيتي"
TEASER = 'اقرأ أيضا: تفاصيل رسالة عاجلة تلقاها ترامب قبل ساعات من "انتقام إيران"'
FIRST = (
    "أعلنت واشنطن، الجمعة، أنها لن تناقش مع بغداد مسألة انسحاب قواتها، فيما ناقش وزير الخارجية الأمريكي، "
    "مايك بومبيو، مع نظيره الكندي، فرانسوا فيليب، توسيع تحالف الناتو على الأراضي العراقية."
)
AROUND_TEASER = (
    "بدورها، نقلت وكالة \"رويترز\" عن بيان للخارجية الأمريكية أن بومبيو بحث مع نظيره الكندي توسيع قوة حلف الأطلسي في العراق.",
    "وقالت المتحدثة باسم الخارجية مورجان أورتاجوس في بيان: \"تحدث وزيرا الخارجية أيضا بشأن أفعال النظام الإيراني",
)
LAST = "وينتشر نحو خمسة آلاف جندي أمريكي في قواعد عسكرية بأرجاء العراق، ضمن التحالف الدولي لمحاربة تنظيم الدولة."


@pytest.fixture(scope="module")
def seed(shared_data):
    path = shared_data / "samples" / "seed-article.json"
    if not path.exists():
        pytest.skip(f"seed article not found: {path}")
    d = json.loads(path.read_text(encoding="utf-8"))
    raw = RawArticle(id=d["id"], body=d["body"], title=d["title"], source=d["source"], url=d["url"],
                     section=d["section"], published_at=d["published_at"], scraped_at=d["scraped_at"])  # fmt: skip
    return d, clean_article(raw, now=NOW)


def test_boilerplate_gone_from_text_and_kept_in_fields(seed):
    d, c = seed
    assert "جيتي" not in c.text and "اقرأ أيضا" not in c.text and "\u00a0" not in c.text
    assert c.captions == [CAPTION]
    assert [(r.reason, r.text) for r in c.removed] == [("blank_line", "\u00a0"), ("caption", CAPTION), ("read_also", TEASER)]


def test_title_section_and_metadata_kept(seed):
    d, c = seed
    assert c.title == "أمريكا: لن نناقش وجود قواتنا مع العراق.. وتبحث توسيع تحالفها"
    assert c.section == "سياسة دولية"
    assert (c.id, c.source, c.published_at, c.scraped_at) == ("seed-0001", "arabi21", d["published_at"], d["scraped_at"])
    assert c.language == "ar" and c.language_confidence >= 0.9


def test_no_sentence_lost(seed):
    d, c = seed
    assert c.text.startswith(FIRST + "\n\n")
    assert c.text.endswith(LAST)
    # the paragraphs on both sides of the teaser are now neighbours
    i = c.text.index(AROUND_TEASER[0])
    assert c.text[i + len(AROUND_TEASER[0]) :].startswith("\n\n" + AROUND_TEASER[1])
    # every body paragraph except caption, teaser and the NBSP line survives, only tatweel gone
    # (``لـ"مواصلة`` -> ``ل"مواصلة``)
    expected = [p.replace("\u0640", "") for p in d["body"].split("\n\n") if p.strip() and p not in (CAPTION, TEASER)]
    assert sum(p.count("\u0640") for p in d["body"].split("\n\n")) == 2
    assert c.text.split("\n\n") == expected
    assert len(c.paragraphs) == 13 and c.sentence_count == 13


def test_structure_fields(seed):
    d, c = seed
    assert [c.text[a:b] for a, b in c.paragraphs] == c.text.split("\n\n")
    assert c.char_count == len(c.text)
    assert 340 <= c.word_count <= 360
    assert "أعلنت" not in c.text_normalized and "اعلنت واشنطن، الجمعه" in c.text_normalized
    assert len(c.content_hash) == 64
