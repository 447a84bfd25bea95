"""Date expressions in Arabic news text, resolved to calendar days.

Written dates (``10 أغسطس 2015``, ``10 آب/أغسطس``, ``25 شوال 1436 هـ``, ``15 / 10 / 1436هـ``,
``عام 2014``), the two-calendar ``الموافق`` pairs as one date, weekdays (``الجمعة``,
``الأحد الماضي``, ``الثلاثاء المقبل``) and relative expressions (``اليوم``, ``أمس``,
``أمس الأول``, ``غدا``, ``قبل أسبوع``, ``الشهر الماضي``, ``العام الجاري``) are found on the
same-length shadow of the text (:mod:`.shadow`), so offsets point into the text as written.
Hijri dates are converted with ``hijridate`` (the Umm al-Qura calendar, 1343-1500 AH).

Every function here is total: an impossible date (``31 فبراير``, ``30/13/1436``) or an anchor
at the edge of the calendar gives no mention rather than an exception or an out-of-range value.
All patterns are bounded, so the cost is linear in the length of the text.
"""

from __future__ import annotations

import calendar as _calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from hijridate import Gregorian, Hijri

from .date_words import (
    AGO, AGO_NEEDLES, ALONE, BARE_YEAR, DIGIT_NEEDLES, FUTURE, LAST, MONTH, MONTH_NEEDLES, NEXT,
    NOT_TODAY_AFTER, NOT_TODAY_BEFORE, NOT_WEEKDAY_BEFORE, NUMBER_WORDS, NUMERIC, PAIR_GAP, PERIOD,
    PERIOD_NEEDLES, RELWORD, REL_NEEDLES, UNIT, WEEKDAY, WEEKDAYS, WEEKDAY_NEEDLES, WRITTEN, YEAR, scan, windows,
)
from .model import DateMention
from .shadow import shadow, word_set, words_only

__all__ = ["DateMention", "find_dates", "parse_anchor", "written_day"]

_SPACES = re.compile(r"\s+")
_WEEKDAY_GAP = re.compile(r"\s*[،,]?\s*(?:(?:و)?الموافق\s*(?:ل\s*)?)?")  # ``الخميس 14 / 10``, ``يوم الأربعاء الموافق``

# -- calendar helpers ------------------------------------------------------------------------------

def _year_month(d: date) -> str:
    """``YYYY-MM`` (``strftime("%Y")`` would not pad a year before 1000)."""
    return f"{d.year:04d}-{d.month:02d}"


def _greg(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except (ValueError, OverflowError):
        return None


def _hijri_to_greg(y: int, m: int, d: int) -> date | None:
    try:
        g = Hijri(y, m, d).to_gregorian()
        return date(g.year, g.month, g.day)
    except (ValueError, OverflowError):
        return None


def _shift_months(d: date, months: int) -> date | None:
    total = d.year * 12 + (d.month - 1) + months
    y, m = divmod(total, 12)
    if not 1 <= y <= 9999:
        return None
    return date(y, m + 1, min(d.day, _calendar.monthrange(y, m + 1)[1]))


def _shift_days(d: date, days: int) -> date | None:
    try:
        return d + timedelta(days=days)
    except OverflowError:
        return None


def _nearest_year(anchor: date, month: int, day: int) -> date | None:
    """``10 أغسطس`` without a year: the one of last, this or next year nearest the anchor."""
    best = None
    for y in (anchor.year - 1, anchor.year, anchor.year + 1):
        d = _greg(y, month, day)
        if d is not None and (best is None or abs((d - anchor).days) < abs((best - anchor).days)):
            best = d
    return best


def _nearest_hijri_year(anchor: date, month: int, day: int) -> tuple[date, int] | None:
    try:
        hy = Gregorian(anchor.year, anchor.month, anchor.day).to_hijri().year
    except (ValueError, OverflowError):
        return None
    best = None
    for y in (hy - 1, hy, hy + 1):
        d = _hijri_to_greg(y, month, day)
        if d is not None and (best is None or abs((d - anchor).days) < abs((best[0] - anchor).days)):
            best = (d, y)
    return best


# -- the finders -----------------------------------------------------------------------------------

@dataclass(slots=True)
class _Cand:
    start: int
    end: int
    value: str
    granularity: str
    calendar: str
    relative: bool
    hijri: str | None = None
    day: date | None = None  # the resolved day, for pairing


def _calendar_of(month_cal: str | None, year: int | None, era: str | None) -> str:
    if era:
        return "gregorian" if era[0] == "م" else "hijri"
    if month_cal:
        return month_cal
    return "hijri" if year is not None and 1300 <= year <= 1500 else "gregorian"


def _written(s: str, anchor: date, words: frozenset[str] | None = None, digits: list[int] | None = None) -> list[_Cand]:
    out: list[_Cand] = []
    for m in scan(WRITTEN, s, windows(s, MONTH_NEEDLES, 16, 48, words)):
        day, year, mod, ymod = m.group("day"), m.group("year"), m.group("mod"), m.group("ymod")
        name = _SPACES.sub(" ", m.group("month"))
        if day is None and year is None and not (mod or ymod or m.group("shahr") or m.group("month2") or name in ALONE):
            continue
        month, cal = MONTH[name]
        if m.group("month2") and MONTH[_SPACES.sub(" ", m.group("month2"))][0] != month:
            continue  # آب/أغسطس must name one month
        cal = _calendar_of(cal, None, None)
        era = m.group("era")
        if era and (era[0] == "م") != (cal == "gregorian"):
            continue
        end = m.end("era") if era else m.end("year") if year else m.end("month2") if m.group("month2") else m.end("month")
        if m.group("month2") and not year and text_close(s, end):
            end += s.index(")", end) - end + 1
        if mod or ymod:
            end = m.end()
        start = m.start("shahr") if m.group("shahr") and day is None else m.start()
        if year is None and (mod or ymod or day is None):
            c = _relative_month(int(day) if day else None, month, cal, anchor, mod, ymod, start, end)
        else:
            c = _make(int(day) if day else None, month, int(year) if year else None, cal, anchor, start, end)
        if c is not None:
            out.append(c)
    years = windows(s, DIGIT_NEEDLES, 16, 16, digits=digits)  # shared by the three patterns that need a year
    for m in scan(NUMERIC, s, years):
        a, b, c3, era = m.group("a"), m.group("b"), m.group("c"), m.group("era")
        if len(c3) == 4 and len(a) <= 2:
            d, mo, y = int(a), int(b), int(c3)
        elif len(a) == 4 and len(c3) <= 2:
            y, mo, d = int(a), int(b), int(c3)
        else:
            continue
        cal = _calendar_of(None, y, era)
        cand = _make(d, mo, y, cal, anchor, m.start(), m.end())
        if cand is not None:
            out.append(cand)
    for m in scan(YEAR, s, years):
        y = int(m.group("year") or m.group("year2"))
        era = m.group("era") or m.group("era2")
        cal = _calendar_of(None, y, era)
        end = m.end("era") if m.group("era") else m.end("year") if m.group("year") else m.end("w")
        cand = _make(None, None, y, cal, anchor, m.start("w"), end)
        if cand is not None:
            out.append(cand)
    for m in scan(BARE_YEAR, s, years):
        cand = _make(None, None, int(m.group("w")), "gregorian", anchor, m.start("w"), m.end("w"))
        if cand is not None:
            out.append(cand)
    return out


def _relative_month(day: int | None, month: int, cal: str, anchor: date, mod: str | None, ymod: str | None,
                    start: int, end: int) -> _Cand | None:
    """``أغسطس``, ``يوليو الماضي``, ``شعبان الماضي``, ``يونيو العام الماضي``, ``10 أغسطس المقبل``:
    the month (or day) of the year the modifier or, without one, the nearest year says."""
    sign = -1 if (mod or ymod) in LAST else 1 if (mod or ymod) in NEXT else 0
    if cal == "gregorian":
        here, anchor_month = anchor.year, anchor.month
    else:
        try:
            h = Gregorian(anchor.year, anchor.month, anchor.day).to_hijri()
        except (ValueError, OverflowError):
            return None
        here, anchor_month = h.year, h.month
    if ymod:
        years = [here + sign]
    elif sign < 0:
        years = [here if month < anchor_month or (day and month == anchor_month) else here - 1]
    elif sign > 0:
        years = [here if month > anchor_month or (day and month == anchor_month) else here + 1]
    else:
        years = [here - 1, here, here + 1]
    best = None
    for y in years:
        d = _greg(y, month, day or 15) if cal == "gregorian" else _hijri_to_greg(y, month, day or 15)
        if d is not None and (best is None or abs((d - anchor).days) < abs((best[0] - anchor).days)):
            best = (d, y)
    if best is None:
        return None
    d, y = best
    rel = bool(mod or ymod) and not day  # ``6 أبريل الماضي`` is a written day; ``أبريل الماضي`` is relative
    hijri = None if cal == "gregorian" else (f"{y:04d}-{month:02d}" + (f"-{day:02d}" if day else ""))
    if day:
        return _Cand(start, end, d.isoformat(), "day", cal, rel, hijri, day=d)
    return _Cand(start, end, _year_month(d), "month", cal, rel, hijri)


def text_close(s: str, pos: int) -> bool:
    """``أغسطس (آب)``: the closing bracket of the second month name follows."""
    return s[pos:pos + 3].lstrip().startswith(")")


def _make(day: int | None, month: int | None, year: int | None, cal: str, anchor: date, start: int,
          end: int) -> _Cand | None:
    """A written date's value; None when it names no real day (``31 فبراير``, month 13)."""
    if month is not None and not 1 <= month <= 12:
        return None
    if cal == "gregorian":
        if year is not None and not 1000 <= year <= 2999:
            return None
        if day is not None and month is not None:
            d = _greg(year, month, day) if year is not None else _nearest_year(anchor, month, day)
            return None if d is None else _Cand(start, end, d.isoformat(), "day", cal, False, day=d)
        if month is not None:
            return _Cand(start, end, f"{year:04d}-{month:02d}", "month", cal, False)
        return _Cand(start, end, f"{year:04d}", "year", cal, False)
    # hijri
    if day is not None and month is not None:
        if year is not None:
            d, hy = _hijri_to_greg(year, month, day), year
        else:
            found = _nearest_hijri_year(anchor, month, day)
            d, hy = found if found else (None, 0)
        if d is None:
            return None
        return _Cand(start, end, d.isoformat(), "day", cal, False, f"{hy:04d}-{month:02d}-{day:02d}", day=d)
    if month is not None:  # the Gregorian month holding the middle of the Hijri month
        d = _hijri_to_greg(year, month, 15)
        return None if d is None else _Cand(start, end, _year_month(d), "month", cal, False, f"{year:04d}-{month:02d}")
    d = _hijri_to_greg(year, 7, 1)  # the Gregorian year holding the middle of the Hijri year
    return None if d is None else _Cand(start, end, f"{d.year:04d}", "year", cal, False, f"{year:04d}")


def _pair(s: str, cands: list[_Cand]) -> list[_Cand]:
    """``25 شوال 1436 هـ الموافق 10 أغسطس 2015 م`` -> one date (the Gregorian value, first calendar)."""
    cands.sort(key=lambda c: (c.start, -c.end))
    out: list[_Cand] = []
    for c in cands:
        if out and c.start < out[-1].end:
            continue
        prev = out[-1] if out else None
        if (prev is not None and prev.calendar != c.calendar and prev.granularity == c.granularity
                and PAIR_GAP.fullmatch(s, prev.end, c.start)):
            greg, hij = (c, prev) if c.calendar == "gregorian" else (prev, c)
            out[-1] = _Cand(prev.start, c.end, greg.value, greg.granularity, prev.calendar, False, hij.hijri, greg.day)
            continue
        out.append(c)
    return out


def _is_future(s: str, pos: int) -> bool:
    lo = max(s.rfind(".", 0, pos), s.rfind("\n", 0, pos), pos - 120)
    return FUTURE.search(s, lo + 1, pos) is not None


def _weekdays(s: str, anchor: date, words: frozenset[str] | None = None) -> list[_Cand]:
    out = []
    for m in scan(WEEKDAY, s, windows(s, WEEKDAY_NEEDLES, 8, 20, words)):
        start = m.start("yawm") if m.group("yawm") else m.start("wd")
        if not m.group("yawm") and NOT_WEEKDAY_BEFORE.search(s, max(0, start - 12), start):
            continue
        wd = WEEKDAYS[m.group("wd")]
        mod = m.group("mod")
        if mod in LAST:
            delta = -((anchor.weekday() - wd) % 7 or 7)
        elif mod in NEXT:
            delta = (wd - anchor.weekday()) % 7 or 7
        elif _is_future(s, start):
            delta = (wd - anchor.weekday()) % 7
        else:
            delta = -((anchor.weekday() - wd) % 7)
        d = _shift_days(anchor, delta)
        if d is not None:
            out.append(_Cand(start, m.end(), d.isoformat(), "day", "gregorian", True, day=d))
    return out


def _relatives(s: str, anchor: date, words: frozenset[str] | None = None) -> list[_Cand]:
    out = []
    for m in scan(RELWORD, s, windows(s, REL_NEEDLES, 8, 12, words)):
        w = m.group("w").replace("\u0640", "")
        if w == "اليوم" and (NOT_TODAY_BEFORE.search(s, max(0, m.start("w") - 10), m.start("w"))
                             or NOT_TODAY_AFTER.match(s[m.end("w"):m.end("w") + 12])):
            continue
        if w.startswith("الليله"):
            days = -1
        elif "اول" in w or "الاول" in w:
            days = -2
        elif "امس" in w:
            days = -1
        elif w.startswith("بعد"):
            days = 2
        elif "غد" in w:
            days = 1
        else:
            days = 0
        d = _shift_days(anchor, days)
        if d is not None:
            out.append(_Cand(m.start("w"), m.end("w"), d.isoformat(), "day", "gregorian", True, day=d))
    for m in scan(AGO, s, windows(s, AGO_NEEDLES, 2, 30, words)):
        unit, step = UNIT[m.group("unit")]
        n_txt = m.group("n")
        n = int(n_txt) if n_txt and n_txt.isdigit() else NUMBER_WORDS.get(n_txt or m.group("unit"), 1)
        if m.group("unit") in ("يومين", "اسبوعين", "شهرين", "عامين", "سنتين"):
            n = 2
        out.append(_shifted(m.start("w"), m.end("w"), anchor, unit, -n * step))
    for m in scan(PERIOD, s, windows(s, PERIOD_NEEDLES, 8, 20, words)):
        unit = m.group("unit").removeprefix("ال")
        mod = m.group("mod")
        sign = -1 if mod in LAST else 1 if mod in NEXT else 0
        if unit == "اسبوع":
            out.append(_shifted(m.start("w"), m.end("w"), anchor, "day", 7 * sign, "week"))
        else:
            out.append(_shifted(m.start("w"), m.end("w"), anchor, "month" if unit == "شهر" else "year", sign))
    return [c for c in out if c is not None]


def _shifted(start: int, end: int, anchor: date, unit: str, n: int, gran: str | None = None) -> _Cand | None:
    if unit == "day":
        d = _shift_days(anchor, n)
        return None if d is None else _Cand(start, end, d.isoformat(), gran or "day", "gregorian", True, day=d)
    if unit == "month":
        d = _shift_months(anchor, n)
        return None if d is None else _Cand(start, end, _year_month(d), "month", "gregorian", True)
    y = anchor.year + n
    return _Cand(start, end, f"{y:04d}", "year", "gregorian", True) if 1 <= y <= 9999 else None


def _absorb_weekdays(s: str, written: list[_Cand], weekdays: list[_Cand]) -> list[_Cand]:
    """``الخميس 14 / 10 / 1436هـ`` and ``يوم الأربعاء الموافق 20-10-1436هـ``: one written date."""
    by_start = {}
    for w in weekdays:
        by_start[w.end] = w
    out = []
    for c in written:
        for gap_end in range(c.start, max(-1, c.start - 14), -1):
            w = by_start.get(gap_end)
            if w is not None and _WEEKDAY_GAP.fullmatch(s, w.end, c.start):
                c = _Cand(w.start, c.end, c.value, c.granularity, c.calendar, False, c.hijri, c.day)
                break
        out.append(c)
    return out


def find_dates(text: str, anchor: date, field: str = "text", s: str | None = None,
               words: frozenset[str] | None = None, digits: list[int] | None = None) -> list[DateMention]:
    """Every date expression in ``text``, resolved against ``anchor``; sorted, never overlapping.
    ``s``, ``words``, ``digits``: the text's shadow, its word set (at least its date key words) and
    the positions of its digits, when the caller has them already."""
    if not text:
        return []
    s = s if s is not None else shadow(text)
    if words is None:
        words = word_set(words_only(s))
    weekdays = _weekdays(s, anchor, words)
    written = _absorb_weekdays(s, _pair(s, _written(s, anchor, words, digits)), weekdays)
    cands = written + weekdays + _relatives(s, anchor, words)
    cands.sort(key=lambda c: (c.start, -(c.end - c.start), c.relative))
    out: list[DateMention] = []
    last_end = -1
    for c in cands:
        if c.start < last_end:
            continue
        last_end = c.end
        out.append(DateMention(text[c.start:c.end], c.start, c.end, c.value, c.granularity, c.calendar,
                               c.relative, field, c.hijri))
    return out


def written_day(text: str | None) -> date | None:
    """The first written (non-relative) full date in ``text`` (a dateline's date), or None."""
    if not text:
        return None
    s = shadow(text)
    for c in _pair(s, _written(s, date(2000, 1, 1))):
        if c.granularity == "day" and c.day is not None:
            return c.day
    return None


def parse_anchor(value: str | None) -> date | None:
    """The calendar day of an RFC 3339 / ISO timestamp *as written* (the publisher's local day)."""
    if not value or not isinstance(value, str):
        return None
    v = value.strip()
    try:
        return datetime.fromisoformat(v.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    try:
        return date.fromisoformat(v[:10])
    except ValueError:
        return None
