"""Boilerplate kept apart rather than lost: taken out of the text, kept in structured fields.

What is recognised (each removal is recorded in ``removed`` with one of these reasons):

==============  =====================================================================  ============
reason          examples                                                               kept in
==============  =====================================================================  ============
``dateline``    ``الباحة 25 شوال 1436هـ الموافق 10 أغسطس 2015م واس``, ``بغداد - الأناضول``,  ``dateline``
                ``واس- عدن:``, ``دمشق، سوريا (CNN) --``, ``LONDON (Reuters) -``
``byline``      ``محمد أبو شعر- سبق:``, ``لجين الأحمدي – عين اليوم``, ``بقلم: ...``       ``byline``/``authors``
``caption``     a short line ending ``- جيتي`` / ``(رويترز)`` / ``(أ ف ب)``             ``captions``
``photo_credit`` ``تصوير: ...``, ``(تصوير: ...)``, ``(ارشيف/ ...)``                    ``captions``
``read_also``   ``اقرأ أيضا: ...``, ``شاهد أيضا``, ``Read more``, ``Lire aussi``           --
``read_more``   ``...المزيد``                                                          --
``signoff``     ``// انتهى //``, ``// يتبع //``, ``15:40 ت م``                          --
``share``       ``رابط الخبر بصحيفة الوئام: ...``, ``شارك``, ``تابعونا على``, ``Share this``  --
``contact``     ``للتواصل أرسل sms إلى ...`` and the operator lines after it, a bare e-mail --
``tags``        a trailing ``سمات ...`` tag list (عين اليوم)                               --
``navigation``  ``Next Previous`` slider residue at the head                            --
==============  =====================================================================  ============

Design: rules only fire on *shapes* that are unambiguous in news copy (anchored at a paragraph's
start or end, short, with a known agency/place list) because a false positive deletes a
sentence, which is worse than a leftover credit. Rules run to a fixed point (remove the caption
on top, then the dateline that became first, ...), which is what makes cleaning idempotent. All
patterns are precompiled and bounded; cheap substring tests gate the rarer ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..records import Dateline, Removal
from .arabic import strip_diacritics
from .names import AGENCIES, PLACES, _key


@dataclass(slots=True)
class Found:
    """What the cleaner took out of one article."""

    dateline: Dateline | None = None
    byline: str | None = None
    authors: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)

    def remove(self, reason: str, text: str) -> None:
        self.removed.append(Removal(reason=reason, text=text))

    def set_byline(self, name: str) -> None:
        if self.byline is None:
            self.byline = name
        for author in _AUTHOR_SPLIT_RE.split(name):
            author = author.strip(" .-")
            if author and author not in self.authors:
                self.authors.append(author)

    def set_dateline(self, text: str, place: str | None = None, date: str | None = None, agency: str | None = None) -> None:
        if self.dateline is None:
            self.dateline = Dateline(text=text, place=place, date=date, agency=agency)
        else:  # a second head line (``byline - agency`` then ``place``) completes the first
            d = self.dateline
            d.place = d.place or place
            d.date = d.date or date
            d.agency = d.agency or agency


_AUTHOR_SPLIT_RE = re.compile(r"\s*(?:،|,|\band\b|\bet\b|\s+و\s+)\s*")

# -- gazetteers: agencies and places, in search form (see ``names``) ------------------------------
_NAME_WORD_RE = re.compile(r"(?:[^\W\d_][\w'’.-]*|د\.|أ\.|م\.)")
_TITLES = ("د.", "أ.", "أ.د.", "م.", "Dr.")


def _classify(part: str) -> str | None:
    """``place``, ``agency``, ``person`` or None for one side of ``X - Y``."""
    key = _key(part.strip(" :"))
    if not key:
        return None
    if key in PLACES:
        return "place"
    if key in AGENCIES:
        return "agency"
    words = part.split()
    if 1 <= len(words) <= 5 and all(_NAME_WORD_RE.fullmatch(w) for w in words) and len(part) <= 40:
        return "person"
    return None


# -- head rules ------------------------------------------------------------------------------------

_NAV_RE = re.compile(r"^(?:Next\s+Previous|Previous\s+Next)(?:\s+|$)", re.IGNORECASE)
_MONTH = r"\S{2,12}(?:\s(?:الأول|الاول|الثاني|الآخر|الاخر|الأولى|الاولى|الآخرة|الاخرة|الحجة|القعدة))?"
_WAS_DATELINE_RE = re.compile(
    r"^(?P<place>[^\d:،,.]{2,30}?)\s+(?P<date>\d{1,2}\s" + _MONTH + r"\s\d{4}\s?هـ?\s(?:الموافق\s)?\d{1,2}\s"
    + _MONTH + r"\s\d{4}\s?م?)\s(?P<agency>[^\s:]{2,10}(?:\s[^\s:]{1,10}){0,2}?)\s?(?::\s?|$|\s(?=\S))"
)
_AB_LINE_RE = re.compile(r"^(?P<a>[^-–—:]{2,40}?)\s?[-–—]{1,2}\s?(?P<b>[^-–—:]{2,40}?)\s?:?$")
_AB_PREFIX_RE = re.compile(r"^(?P<a>[^-–—:!?؟«»\"]{2,40}?)\s?[-–—]{1,2}\s?(?P<b>[^-–—:!?؟«»\"]{2,40}?)\s?:\s?(?=\S)")
_PAREN_DATELINE_RE = re.compile(
    r"^(?P<place>[^()\-–—:\d]{2,40}?)\s?\((?P<agency>[^()]{2,30})\)\s?(?:[-–—]{1,2}|:)\s?(?=\S)"
)
_AB_NO_COLON_RE = re.compile(r"^(?P<a>[^-–—:!?؟«»\"]{2,30}?)\s?[-–—]\s?(?P<b1>[^\s:،,.]{2,20})(?:\s(?P<b2>[^\s:،,.]{2,20}))?\s")
# ``فهد العتيبي- سبق- نجران:``, ``فهد العتيبي وسعد الغامدي - سبق - جدة:``: authors, agency, place.
_ABC_PREFIX_RE = re.compile(
    r"^(?P<a>[^-–—:!?؟«»\"\d]{2,60}?)\s?[-–—]{1,2}\s?(?P<b>[^-–—:!?؟«»\"]{2,30}?)\s?[-–—]{1,2}\s?"
    r"(?P<c>[^-–—:!?؟«»\"]{2,30}?)\s?:\s?(?=\S)"
)
# Two authors joined by و glued to the second name (``فهد العتيبي وسعد الغامدي``).
_TWO_NAMES_RE = re.compile(r"^(?P<x>\S+(?:\s\S+){1,3})\s+و(?P<y>\S{2,}(?:\s\S+){1,3})$")
_BYLINE_RE = re.compile(
    r"^(?:بقلم|كتب|كتبت|كتبه|إعداد|اعداد|حوار|تقرير|متابعة|By)\s?[:/-]?\s(?P<name>[^:،,.!?؟\d]{2,60})$"
)


def _head(paras: list[str], found: Found) -> bool:
    """Try the head rules on ``paras[0]``; True when something was taken."""
    p = paras[0]
    m = _NAV_RE.match(p)
    if m:
        found.remove("navigation", m.group().strip())
        return _replace_head(paras, p[m.end() :])
    m = _WAS_DATELINE_RE.match(p)
    if m and _classify(m.group("place")) in ("place", "person") and _key(m.group("agency")) in AGENCIES:
        found.set_dateline(m.group().strip(" :"), m.group("place"), m.group("date"), m.group("agency"))
        found.remove("dateline", m.group().strip())
        return _replace_head(paras, p[m.end() :])
    m = _PAREN_DATELINE_RE.match(p)
    if m and _key(m.group("agency")) in AGENCIES and _classify(m.group("place").strip(" ،,")) != "agency":
        place = m.group("place").strip(" ،,")
        found.set_dateline(m.group().strip(" -–—:"), place, None, m.group("agency"))
        found.remove("dateline", m.group().strip())
        return _replace_head(paras, p[m.end() :])
    if len(p) <= 90:
        m = _AB_LINE_RE.match(p)
        if m and _dateline_pair(m.group("a"), m.group("b"), p, found):
            return _replace_head(paras, "")
        m = _BYLINE_RE.match(p)
        if m and _classify(m.group("name").strip()) == "person":
            found.set_byline(m.group("name").strip())
            found.remove("byline", p)
            return _replace_head(paras, "")
    m = _ABC_PREFIX_RE.match(p)
    if m and _byline_agency_place(m, found):
        return _replace_head(paras, p[m.end() :])
    m = _AB_PREFIX_RE.match(p)
    if m and _dateline_pair(m.group("a"), m.group("b"), m.group().strip(), found):
        return _replace_head(paras, p[m.end() :])
    m = _AB_NO_COLON_RE.match(p)
    if m:  # ``خالد سجاف - الدمام أعرب ...``: only when the right side is a known place
        b2 = m.group("b2")
        for b in ((m.group("b1") + " " + b2) if b2 else None, m.group("b1")):
            if b and _classify(b) == "place" and _classify(m.group("a")) in ("person", "agency"):
                span = p[: m.start("b1") + len(b)]
                if _dateline_pair(m.group("a"), b, span, found):
                    return _replace_head(paras, p[len(span) :])
    return False


def _authors(text: str) -> list[str] | None:
    """The names of a byline's author part (one name, ``X وY``, ``X، Y``), or None when a part is
    no person's name."""
    m = _TWO_NAMES_RE.match(text)
    parts = [m.group("x"), m.group("y")] if m else [p for p in re.split(r"\s*[،,]\s*", text) if p]
    if not parts or any(_classify(p) != "person" for p in parts):
        return None
    return parts


def _byline_agency_place(m: re.Match, found: Found) -> bool:
    """``authors - agency - place:`` at the head (the agency known, the place a short name)."""
    a, b, c = (m.group(k).strip() for k in ("a", "b", "c"))
    if _key(b) not in AGENCIES or _classify(c) not in ("place", "person"):
        return False
    authors = _authors(a)
    if authors is None:
        return False
    for name in authors:
        found.set_byline(name)
    found.byline = a
    found.set_dateline(m.group().strip(" :"), c if _classify(c) == "place" else None, None, b)  # not متابعة
    found.remove("byline", m.group().strip())
    return True


def _dateline_pair(a: str, b: str, span: str, found: Found) -> bool:
    """``X - Y`` at the head: record it when one side is a known place or agency."""
    a, b = a.strip(), b.strip()
    ka, kb = _classify(a), _classify(b)
    kinds = {ka, kb}
    if None in kinds or kinds == {"person"} or ka == kb:
        return False
    if ka == "agency" and kb == "person":  # ``واس- عدن:``, ``سبق- الولايات المتحدة:``: agency first,
        kb = "place"  # then the place (bylines put the person first: ``محمد أبو شعر- سبق:``)
    place = a if ka == "place" else b if kb == "place" else None
    agency = a if ka == "agency" else b if kb == "agency" else None
    person = a if ka == "person" else b if kb == "person" else None
    if person is not None:
        found.set_byline(person)
    if place or agency:
        found.set_dateline(span.strip(" :"), place, None, agency)
    found.remove("byline" if person and not place else "dateline", span)
    return True


def _replace_head(paras: list[str], rest: str) -> bool:
    rest = rest.strip(" :-–—")
    if rest:
        paras[0] = rest
    else:
        del paras[0]
    return True


# -- rules for any paragraph ----------------------------------------------------------------------

_YDA = r"[اأ]يض(?:ا|ً){1,2}"
_READ_ALSO_RE = re.compile(
    r"^(?:[اأإ]قر[أا]\s(?:" + _YDA + r"|كذلك|المزيد)|(?:شاهد|طالع|تابع)\s" + _YDA + r"|للمزيد\s?:|"
    r"(?:مواضيع|أخبار|اخبار|مقالات)\s(?:ذات\sصلة|متعلقة)|ذات\sصلة\s?:|"
    r"Read\s(?:also|more)\b|See\salso\b|Related\s?:|Lire\saussi\b|[ÀA]\slire\saussi\b|Voir\saussi\b)",
    re.IGNORECASE,
)
#: First letters of every read-also/share pattern: only those paragraphs pay for de-diacritising.
_READ_GATE = frozenset("اأإشطتلمذرRrSsLlÀAaVvFf")
#: Every character a read-also or share paragraph can start with (with ``re.IGNORECASE``'s
#: ``à`` and ``ſ``, which match ``À`` and ``s``): the only paragraphs that try the two regexes.
_READ_FIRST = _READ_GATE | frozenset("àſ")
_MARKS_RE = re.compile("[\u064b-\u065f\u0670]")
_READ_MORE_RE = re.compile(r"^\.{2,}\s?المزيد$")
_CREDIT = (
    r"(?:جيتي|غيتي|Getty(?:\sImages)?|رويترز|Reuters|[أا]\s?\.?\s?ف\s?\.?\s?ب|AFP|AP|EPA|[إا]\s?ب\s?[أا]|"
    r"الأناضول|الاناضول|[أا]رشيفية|[أا]رشيف|[أا]سوشيتد\sبرس|الفرنسية|متداولة|مواقع\sالتواصل|تويتر|فيسبوك|"
    r"Twitter|Facebook|Shutterstock|iStock)"
)
_CAPTION_RE = re.compile(r"(?:\s?[-–—]\s?|\s?[(\[]\s?)(?P<credit>" + _CREDIT + r")\s?[)\]]?$", re.IGNORECASE)
_PHOTO_CREDIT_RE = re.compile(
    r"^[(\[]?\s?(?:تصوير|عدسة|الصورة|صورة|[أا]رشيف|Photo|Photograph|Credit|Image)\s?[:/]\s?[^:]{1,60}?[)\]]?$",
    re.IGNORECASE,
)
_TRAILING_CREDIT_RE = re.compile(r"\s[(\[]?(?:تصوير|عدسة)\s?:\s?(?P<name>[^\s:.،]{2,20}(?:\s[^\s:.،]{2,20}){0,2})[)\]]?$")
_SIGNOFF_PARA_RE = re.compile(
    r"^(?:/{1,2}\s?(?:انتهى|يتبع)\s?/{0,2}|-?\s?انتهى\s?-?|\d{1,2}\s?:\s?\d{2}\s?ت\s?[مغ](?:\s\S{1,6})?)$"
)
_SIGNOFF_INLINE_RE = re.compile(r"\s?/{1,2}\s?(?:انتهى|يتبع)\s?/{1,2}(?:\s?\d{1,2}\s?:\s?\d{2}\s?ت\s?[مغ])?")
_SIGNOFF_TIME_END_RE = re.compile(r"\s\d{1,2}\s?:\s?\d{2}\s?ت\s?[مغ]$")
_SHARE_RE = re.compile(
    r"^(?:رابط\sالخبر\sبصحيفة\s|شارك(?:\sالخبر|\sالمقال|\sهذا\sالخبر)?\s?(?::|$|على\s|عبر\s)|تابعونا\sعلى|تابعنا\sعلى|"
    r"لمتابعة\s.{0,40}\sعلى\s(?:تويتر|فيسبوك)|Share\s(?:this|on)\b|Follow\sus\b|Subscribe\b|Sign\sup\b|"
    r"اشترك\s(?:في|ب)|للاشتراك\s)",
    re.IGNORECASE,
)
_SHARE_INLINE_RE = re.compile(r"\s?رابط\sالخبر\sبصحيفة\s\S{2,20}\s?:")
_EMAIL_ONLY_RE = re.compile(r"^(?:للتواصل\s?:?\s?)?[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,4}$")
_CONTACT_RE = re.compile(r"^للتواصل\s")
_CONTACT_INLINE_RE = re.compile(r"\s?للتواصل\s(?:مع\s\S{2,10}\s)?[أا]رسل\s(?:رسالة\s)?(?:نصية\s)?(?:sms|SMS)\b")
_TAGS_RE = re.compile(r"(?:^|\s)سمات\s(?P<tags>[^!?؟:،,«»\"“”()\[\]]{0,200}[^\W_][\u064b-\u0652]*)$")
#: Cheap exact gates (first/last character) in front of the anywhere-rules: a paragraph whose
#: edge character no alternative can produce skips that regex. Each set is every character the
#: rule can match there, case variants of ``re.IGNORECASE`` included (``İ``/``ı`` match ``i``,
#: ``ſ`` matches ``s``, ``K`` (Kelvin) matches ``k``). ``tests/clean/test_boilerplate.py`` checks
#: every BMP code point against each rule.
_SIGNOFF_FIRST = frozenset("/-ا")  # plus whitespace and decimal digits (``\s``, ``\d``)
_PHOTO_FIRST = frozenset("([تعصاأPpCcIi\u0130\u0131")  # plus whitespace
_CAPTION_LAST = frozenset(")]يزبأالةفسركyYsSpPaArRkK\u212a\u017f")  # plus whitespace (``\s?$``)
_NOT_BEFORE_TAGS = frozenset("من في عن ذات أهم اهم أبرز ابرز إحدى احدى هي هذه تلك بعض ومن وهي كل ضمن تحمل يحمل".split())


def _any(p: str, found: Found) -> str:
    """One paragraph through the anywhere-rules; returns what is left ("" = drop it)."""
    first = p[0]
    if first in _READ_FIRST:
        head = p[:40]
        if first in _READ_GATE and _MARKS_RE.search(head):  # ``اقْرَأ أَيْضاً``: match without marks
            head = strip_diacritics(head)
        if _READ_ALSO_RE.match(head):
            found.remove("read_also", p)
            return ""
    else:
        head = None
    if len(p) <= 200:
        if (first in _SIGNOFF_FIRST or first.isspace() or first.isdecimal()) and _SIGNOFF_PARA_RE.match(p):
            found.remove("signoff", p)
            return ""
        if (first in _PHOTO_FIRST or first.isspace()) and _PHOTO_CREDIT_RE.match(p):
            found.captions.append(p)
            found.remove("photo_credit", p)
            return ""
        if first == "." and _READ_MORE_RE.match(p):
            found.remove("read_more", p)
            return ""
    if head is not None and len(p) <= 400 and _SHARE_RE.match(head):
        found.remove("share", p)
        return ""
    if len(p) <= 300 and (p[-1] in _CAPTION_LAST or p[-1].isspace()):
        m = _CAPTION_RE.search(p, max(0, len(p) - 40))
        # >= 3 words before the credit: ``بغداد - الأناضول`` is a dateline, not a caption
        if m and not any(c in p[: m.start()] for c in ".!?؟") and len(p[: m.start()].split()) >= 3:
            found.captions.append(p)
            found.remove("caption", p)
            return ""
    if "/" in p:
        if _SIGNOFF_INLINE_RE.search(p):
            for m in _SIGNOFF_INLINE_RE.finditer(p):
                found.remove("signoff", m.group().strip())
            p = " ".join(_SIGNOFF_INLINE_RE.sub(" ", p).split())
            if not p:
                return ""
    if "رابط" in p:
        m = _SHARE_INLINE_RE.search(p)
        if m:
            found.remove("share", p[m.start() :].strip())
            p = p[: m.start()].rstrip()
            if not p:
                return ""
    if "ت" in p[-12:]:
        m = _SIGNOFF_TIME_END_RE.search(p, max(0, len(p) - 14))
        if m:
            found.remove("signoff", m.group().strip())
            p = p[: m.start()].rstrip()
    if "تصوير" in p[-40:] or "عدسة" in p[-40:]:
        m = _TRAILING_CREDIT_RE.search(p, max(0, len(p) - 60))
        if m:
            found.captions.append(m.group().strip())
            found.remove("photo_credit", m.group().strip())
            p = p[: m.start()].rstrip()
    return p


def _tail(paras: list[str], found: Found) -> bool:
    """Rules for the end of the body: contact blocks, a bare e-mail, the tag list."""
    n = len(paras)
    for i in range(n - 1, max(-1, n - 8), -1):  # a contact block is the last few short lines
        if paras[i].startswith("للتواصل") and _CONTACT_RE.match(paras[i]) and len(paras[i]) <= 300:
            found.remove("contact", "\n".join(paras[i:]))
            del paras[i:]
            return True
        if len(paras[i]) > 200:
            break
    last = paras[-1]
    if "للتواصل" in last:
        m = _CONTACT_INLINE_RE.search(last)
        if m and len(last) - m.start() <= 300:
            found.remove("contact", last[m.start() :].strip())
            rest = last[: m.start()].rstrip()
            if rest:
                paras[-1] = rest
            else:
                del paras[-1]
            return True
    if len(last) <= 120 and "@" in last and _EMAIL_ONLY_RE.match(last):
        found.remove("contact", last)
        del paras[-1]
        return True
    if "سمات" in last[-220:]:
        m = _TAGS_RE.search(last, max(0, len(last) - 220))
        if m and len(m.group("tags").split()) <= 20:
            before = last[: m.start()].split()
            if not before or before[-1] not in _NOT_BEFORE_TAGS:
                found.remove("tags", m.group().strip())
                rest = last[: m.start()].rstrip()
                if rest:
                    paras[-1] = rest
                else:
                    del paras[-1]
                return True
    return False


def strip(paras: list[str], found: Found) -> list[str]:
    """Take boilerplate out of hygienic paragraphs, to a fixed point.

    Each rule is a pure function of what it looks at, so a later pass skips what cannot have
    changed: the head rules when ``paras[0]`` is the one they already declined, the anywhere-rules
    on a paragraph they already returned unchanged, the tail rules when the last seven
    paragraphs (all they read) are the ones they already declined.
    """
    paras = list(paras)
    settled: set[str] = set()  # paragraphs _any returned as they were (it records nothing then)
    head_declined: str | None = None
    tail_declined: list[str] | None = None
    changed = True
    while changed and paras:
        changed = False
        while paras and paras[0] != head_declined:
            if _head(paras, found):
                changed = True
            else:
                head_declined = paras[0]
        kept: list[str] = []
        for p in paras:
            if p in settled:
                kept.append(p)
                continue
            q = _any(p, found)
            if q != p:
                changed = True
            else:
                settled.add(p)
            if q:
                kept.append(q)
        paras = kept
        while paras and paras[-7:] != tail_declined:
            if _tail(paras, found):
                changed = True
            else:
                tail_declined = paras[-7:]
    return paras


_MARKED_CAPTION_RE = re.compile(r"^[ \t\u00a0]*\x1a\x1a[ \t\u00a0]*(?P<caption>[^\n]*)$", re.MULTILINE)


def take_marked_captions(body: str, found: Found) -> str:
    """Some CMS exports (اليوم) mark image captions with ``\\x1a\\x1a``; the marker is a control
    character hygiene would delete, so this runs on the raw body first."""
    if "\x1a\x1a" not in body:
        return body

    def take(m: re.Match[str]) -> str:
        caption = " ".join(m.group("caption").replace("\x1a", " ").split())
        if len(caption) > 250:  # a whole paragraph behind the marker is text, not a caption
            return m.group("caption")
        if caption:
            found.captions.append(caption)
            found.remove("caption", caption)
        return ""

    return _MARKED_CAPTION_RE.sub(take, body)
