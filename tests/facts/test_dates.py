"""Dates: both calendars, الموافق pairs, weekdays around the publication day, bad input."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings, strategies as st

from streams.facts import resolve_anchor
from streams.facts.dates import find_dates

FRI = date(2020, 1, 10)  # a Friday


def _one(text: str, anchor: date = FRI):
    [d] = find_dates(text, anchor)
    assert text[d.start:d.end] == d.text
    return d


@pytest.mark.parametrize("text,value,hijri", [
    ("1 محرم 1437 هـ", "2015-10-14", "1437-01-01"),  # Hijri year boundary
    ("30 ذو الحجة 1436 هـ", "2015-10-13", "1436-12-30"),
    ("1 شوال 1436هـ", "2015-07-17", "1436-10-01"),  # month boundary: Eid al-Fitr
    ("29 رمضان 1436 هـ", "2015-07-16", "1436-09-29"),
    ("15 / 10 / 1436هـ", "2015-07-31", "1436-10-15"),
    ("1436/10/15 هـ", "2015-07-31", "1436-10-15"),
    ("1 جمادى الأولى 1441 هـ", "2019-12-27", "1441-05-01"),
])
def test_hijri_to_gregorian_at_month_and_year_boundaries(text, value, hijri):
    d = _one(text)
    assert (d.value, d.calendar, d.hijri, d.granularity, d.relative) == (value, "hijri", hijri, "day", False)


@pytest.mark.parametrize("text,value", [
    ("10 أغسطس 2015", "2015-08-10"), ("10 آب/أغسطس 2015", "2015-08-10"), ("31 كانون الأول 2019", "2019-12-31"),
    ("1 كانون الثاني 2020", "2020-01-01"), ("29 فبراير 2016", "2016-02-29"), ("5 يناير", "2020-01-05"),
    ("28 ديسمبر", "2019-12-28"),  # no year: the one nearest the anchor
])
def test_gregorian_month_names_in_both_families(text, value):
    d = _one(text)
    assert d.value == value and d.calendar == "gregorian"


def test_muwafiq_pair_is_one_date():
    text = "الدمام 25 شوال 1436 هـ الموافق 10 أغسطس 2015 م واس"
    d = _one(text)
    assert d.text == "25 شوال 1436 هـ الموافق 10 أغسطس 2015 م"
    assert (d.value, d.calendar, d.hijri) == ("2015-08-10", "hijri", "1436-10-25")
    d = _one("يوم الخميس 14 / 10 / 1436هـ الموافق 30 / 7 / 2015م.")
    assert d.text.startswith("يوم الخميس") and d.value == "2015-07-30"


@pytest.mark.parametrize("text,value", [
    ("أعلنت واشنطن، الجمعة، أنها", "2020-01-10"),  # the publication day itself
    ("وصوت البرلمان، الأحد، على", "2020-01-05"),
    ("وردت إيران، الخميس، بقصف", "2020-01-09"),
    ("وصل السبت الماضي", "2020-01-04"),
    ("الجمعة الماضية", "2020-01-03"),  # ``الماضي`` on the weekday of publication: a week back
    ("يعقد الاجتماع الجمعة المقبلة", "2020-01-17"),
    ("ستعقد القمة الأحد", "2020-01-12"),  # future tense: the next one
    ("سيزور الرياض الجمعة", "2020-01-10"),
    ("أمس", "2020-01-09"), ("أمس الأول", "2020-01-08"), ("أول من أمس", "2020-01-08"), ("غداً", "2020-01-11"),
    ("قبل أسبوع", "2020-01-03"), ("منذ يومين", "2020-01-08"),
])
def test_weekdays_and_relative_days_around_publication(text, value):
    d = _one(text)
    assert d.value == value and d.relative and d.granularity == "day"


@pytest.mark.parametrize("text,value,gran", [
    ("الشهر الماضي", "2019-12", "month"), ("العام الجاري", "2020", "year"), ("العام المقبل", "2021", "year"),
    ("الأسبوع الماضي", "2020-01-03", "week"), ("منذ ثلاثة أشهر", "2019-10", "month"),
    ("قبل أربع سنوات", "2016", "year"), ("الليلة الماضية", "2020-01-09", "day"),
    ("يوليو الماضي", "2019-07", "month"), ("يناير الماضي", "2019-01", "month"), ("مارس المقبل", "2020-03", "month"),
    ("يونيو العام الماضي", "2019-06", "month"), ("شعبان الماضي", "2019-04", "month"),
    ("في شهر رمضان", "2020-05", "month"),  # the nearest Ramadan (1441: 24 April - 23 May 2020)
])
def test_relative_periods(text, value, gran):
    d = _one(text)
    assert (d.value, d.granularity) == (value, gran)


def test_not_dates():
    for text in ("صحيفة اليوم", "اليوم الوطني", "صلاة الجمعة", "رؤية 2030", "رمضان", "والد أب", "مارس الرياضة"):
        assert find_dates(text, FRI) == [], text


def test_impossible_dates_give_nothing_or_only_what_is_real():
    assert find_dates("31 فبراير 2015 و 30/13/1436 و 0/0/2015 و 12 محرم 1200 هـ و 31/4/2015", FRI) == []
    [d] = find_dates("في 31 رمضان 1436 هـ", FRI)  # no such day; the year is real
    assert (d.text, d.granularity, d.hijri) == ("1436 هـ", "year", "1436")


def test_edges_of_the_calendar_never_raise():
    assert find_dates("غدا والعام المقبل والشهر المقبل والجمعة المقبلة", date(9999, 12, 31)) == []
    assert [d.value for d in find_dates("أمس", date(1, 1, 1))] == []


def test_values_keep_four_year_digits_before_the_year_1000():
    assert [d.value for d in find_dates("الشهر الماضي، في يوليو الماضي", date(999, 5, 15))] == ["0999-04", "0998-07"]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789/ -هـمالموافقشوالأغسطسأمساليومالجمعةقبلأسبوع\n«»\"", max_size=200))
def test_totality(text):
    for d in find_dates(text, FRI):
        assert text[d.start:d.end] == d.text
        assert 1 <= int(d.value[:4]) <= 9999


def test_anchor_falls_back_in_order():
    assert resolve_anchor("2020-01-10T23:30:00-05:00", None, None, None) == (date(2020, 1, 10), "published_at")
    assert resolve_anchor("not a date", "25 شوال 1436 هـ الموافق 10 أغسطس 2015 م", None, None) == (
        date(2015, 8, 10), "dateline")
    assert resolve_anchor(None, None, "2021-02-03T04:05:06.789Z", None) == (date(2021, 2, 3), "ingested_at")
    assert resolve_anchor("", "بغداد", None, "2022-05-06T00:00:00Z") == (date(2022, 5, 6), "processed_at")


@pytest.mark.parametrize("anchor,text,value,hijri", [
    (date(2015, 10, 14), "ذو الحجة الماضي", "2015-09", "1436-12"),  # anchor: 1 Muharram 1437
    (date(2015, 10, 13), "محرم المقبل", "2015-10", "1437-01"),  # anchor: 30 Dhu al-Hijja 1436
    (date(2015, 7, 17), "رمضان الماضي", "2015-07", "1436-09"),  # anchor: 1 Shawwal 1436
    (date(2015, 7, 16), "شوال المقبل", "2015-07", "1436-10"),  # anchor: 29 Ramadan 1436
])
def test_gregorian_to_hijri_anchor_at_hijri_month_and_year_boundaries(anchor, text, value, hijri):
    d = _one(text, anchor)
    assert (d.value, d.hijri, d.calendar, d.granularity, d.relative) == (value, hijri, "hijri", "month", True)
