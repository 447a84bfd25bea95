"""Story assignment (pure core): near copies, templated reports kept apart, bounds, bad input."""

from __future__ import annotations

import random

import pytest

from streams.stories import StoryConfig, StoryIndex
from streams.stories.features import extract, event_time

WIRE = (
    "اعلنت وزاره التجاره والصناعه بلوغ القيمه الاجماليه لمشاريع برنامج البيع علي الخارطه التي تشرف عليها "
    "الوزاره 320 مليون ريال خلال الربع الثاني من العام الجاري وقالت الوزاره ان عدد المشاريع المرخصه بلغ 14 "
    "مشروعا في مدن الرياض وجده والدمام وان البرنامج يهدف الي حمايه المشترين وتنظيم سوق العقار وتشجيع "
    "المطورين علي الالتزام بالمواصفات والجداول الزمنيه المعتمده للمشاريع السكنيه والتجاريه في المملكه"
)
MARKET = ("اغلق مؤشر سوق الاسهم السعوديه اليوم مرتفعا {a} نقطه بنسبه {b} عند مستوي {c} نقطه بتداولات تجاوزت "
          "{d} مليار ريال وشهدت تداولات اليوم ارتفاع اسهم {e} شركه وتراجع اسهم شركات اخري في قطاعات المصارف "
          "والبتروكيماويات والاسمنت والتجزئه والطاقه والمرافق الخدميه والاتصالات وتقنيه المعلومات")
TELEGRAM = ("بعث خادم الحرمين الشريفين الملك سلمان بن عبدالعزيز ال سعود برقيه تهنئه لفخامه الرئيس {name} رئيس "
            "جمهوريه {country} بمناسبه ذكري اليوم الوطني لبلاده واعرب الملك المفدي باسمه واسم شعب وحكومه المملكه "
            "العربيه السعوديه عن اصدق التهاني واطيب التمنيات بموفور الصحه والسعاده لفخامته ولحكومه وشعب "
            "{country} الشقيق المزيد من التقدم والازدهار")


def article(aid: str, text: str, when: str, title: str | None = None, entities=(), source: str = "paper"):
    return {"id": aid, "text_normalized": text, "title": title, "published_at": when, "source": source,
            "entities": list(entities)}


def mixed_articles() -> list[dict]:
    """A wire report, two daily market closes, a near copy of the report and an empty article."""
    return [
        article("a", WIRE, "2015-08-09T17:30:00"),
        article("m1", MARKET.format(a=16.72, b="0.18%", c=9269.78, d=3.5, e=81), "2015-08-09T18:00:00"),
        article("b", "الرياض - واس: " + WIRE, "2015-08-10T09:00:00"),
        article("empty", "", "2015-08-10T09:30:00"),
        article("m2", MARKET.format(a=43.16, b="0.46%", c=9381.01, d=4.1, e=95), "2015-08-10T18:00:00"),
    ]


def loc(text: str, qid: str, start: int = 100) -> dict:
    return {"type": "LOC", "text": text, "id": qid, "in_title": False, "first_start": start}


def test_a_lightly_edited_copy_is_a_near_copy_in_the_same_story() -> None:
    index = StoryIndex()
    first = index.assign(article("a", WIRE, "2015-08-09T17:30:00", "320 مليونا اجمالي مشروعات البيع علي الخارطه"))
    edited = "الرياض - واس: " + WIRE.replace("وتشجيع المطورين", "وتحفيز المطورين")
    copy = index.assign(article("b", edited, "2015-08-10T19:26:00", "320 مليون ريال مشروعات البيع علي الخارطه"))
    assert first.is_new and first.id == "a" and first.duplicate_of is None
    assert copy.id == "a" and copy.duplicate_of == "a" and not copy.is_new
    assert copy.similarity >= 0.6 and copy.first_seen_at == "2015-08-09T17:30:00" and copy.size == 2


def test_daily_market_closes_with_different_figures_are_different_stories() -> None:
    index = StoryIndex()
    monday = index.assign(article("mon", MARKET.format(a=16.72, b="0.18%", c=9269.78, d=3.5, e=81),
                                  "2015-07-20T17:00:00"))
    tuesday = index.assign(article("tue", MARKET.format(a=43.16, b="0.46%", c=9381.01, d=4.1, e=95),
                                   "2015-07-21T17:00:00"))
    assert tuesday.id == "tue" != monday.id and tuesday.duplicate_of is None


def test_templated_telegrams_to_two_countries_are_different_stories() -> None:
    index = StoryIndex()
    chad = TELEGRAM.format(name="ادريس ديبي اتنو", country="تشاد")
    singapore = TELEGRAM.format(name="توني تان كنق يام", country="سنغافوره")
    a = index.assign(article("chad", chad, "2015-08-09T17:00:00", entities=[loc("تشاد", "Q657")]))
    b = index.assign(article("sg", singapore, "2015-08-09T18:00:00", entities=[loc("سنغافورة", "Q334")]))
    assert a.id == "chad" and b.id == "sg" and b.duplicate_of is None


def test_the_same_text_beyond_the_window_opens_a_new_story() -> None:
    index = StoryIndex(StoryConfig(window=72 * 3600, silence=72 * 3600))
    index.assign(article("old", WIRE, "2015-08-01T10:00:00"))
    for day in range(2, 7):  # other news moves event time on and lets the old story close
        index.assign(article(f"filler{day}", f"خبر رقم {day} " + MARKET.format(a=day, b=day, c=day, d=day, e=day),
                             f"2015-08-0{day}T10:00:00"))
    again = index.assign(article("new", WIRE, "2015-08-06T11:00:00"))
    assert again.id == "new" and again.duplicate_of is None
    assert "old" not in index.articles and "old" not in index.stories


def test_stories_are_capped_so_copies_cannot_grow_a_giant_story() -> None:
    index = StoryIndex(StoryConfig(max_size=40))
    ids = [index.assign(article(f"c{i:03d}", WIRE, f"2015-08-09T{10 + i // 60:02d}:{i % 60:02d}:00")).id
           for i in range(100)]
    sizes = {sid: ids.count(sid) for sid in ids}
    assert max(sizes.values()) == 40 and len(sizes) == 3


def test_state_stays_bounded_over_a_long_stream() -> None:
    rng = random.Random(1)
    words = [f"كلمه{i}" for i in range(3000)]
    index = StoryIndex()
    sizes = []
    for n in range(3000):  # 3,000 unrelated articles over 30 days
        hour, minute = divmod(n * 14, 60)
        day, hour = divmod(hour, 24)
        text = " ".join(rng.choice(words) for _ in range(80))
        index.assign(article(f"x{n}", text, f"2015-07-{1 + day:02d}T{hour:02d}:{minute:02d}:00"))
        sizes.append(index.state_size())
    per_window = 72 * 60 // 14 + 60  # articles in 72 h of event time, plus one sweep interval
    assert max(s["articles"] for s in sizes[1000:]) <= per_window
    assert max(s["stories"] for s in sizes[1000:]) <= per_window
    assert max(s["buckets"] for s in sizes[1000:]) <= 72 + 3
    assert sizes[-1]["keys"] <= sizes[1500]["keys"] * 1.2  # flat once stories close


@pytest.mark.parametrize("record, reason", [
    (article("empty", "", "2015-08-01T10:00:00"), "empty_text"),
    (article("nodate", WIRE, None), "no_published_at"),
    (article("baddate", WIRE, "not a date"), "no_published_at"),
    (article("future", WIRE, "2999-01-01T00:00:00"), "published_at_in_future"),
    (article("past", WIRE, "1900-01-01T00:00:00"), "published_at_too_old"),
])
def test_bad_input_gets_its_own_story_with_a_reason_and_no_state(record, reason) -> None:
    index = StoryIndex()
    out = index.assign(record)
    assert out.id == record["id"] and out.is_new and out.reason == reason
    assert index.state_size() == {"articles": 0, "stories": 0, "keys": 0, "buckets": 0}


def test_late_articles_beyond_the_window_get_their_own_story() -> None:
    index = StoryIndex()
    index.assign(article("now", WIRE, "2015-08-10T10:00:00"))
    late = index.assign(article("late", WIRE, "2015-08-01T10:00:00"))
    assert late.id == "late" and late.reason == "late"


def test_a_one_megabyte_article_is_bounded() -> None:
    huge = (WIRE + " ") * (1_000_000 // len(WIRE))
    f = extract(article("huge", huge, "2015-08-01T10:00:00"), event_time({"published_at": "2015-08-01T10:00:00"}))
    assert f.sig.shape == (128,) and len(f.numbers) <= 64 and len(f.terms) <= 24
    index = StoryIndex()
    assert index.assign(article("huge", huge, "2015-08-01T10:00:00")).id == "huge"
    assert len(str(index.articles["huge"])) < 10_000


def test_assignment_is_deterministic() -> None:
    def run() -> list:
        index = StoryIndex()
        return [index.assign(article(f"d{i}", WIRE if i % 2 else MARKET.format(a=i, b=i, c=i, d=i, e=i),
                                     f"2015-08-01T{i:02d}:00:00")).to_dict() for i in range(20)]
    assert run() == run()


def test_a_late_copy_still_joins_an_open_story_but_is_not_indexed() -> None:
    index = StoryIndex()
    index.assign(article("early", WIRE, "2015-08-07T10:00:00"))
    index.assign(article("news", MARKET.format(a=1, b=2, c=3, d=4, e=5), "2015-08-10T09:00:00"))
    late = index.assign(article("late", "الرياض - واس: " + WIRE, "2015-08-07T08:00:00"))  # < 08-10T09 - 72 h
    assert late.id == "early" and late.reason == "late" and late.duplicate_of == "early"
    assert "late" not in index.articles
