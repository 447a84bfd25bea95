"""The words and patterns of dates in Arabic news, and where to look for them (for :mod:`.dates`).

Everything is in shadow spelling (:mod:`.shadow`: alef variants -> ا, ى -> ي, ة -> ه; a diacritic
is a tatweel). A pattern runs only in windows around its key words, which an article's word set
tells at once, so the cost per article does not grow with the number of patterns.
"""

from __future__ import annotations

import re

# -- vocabulary (in shadow spelling: alef variants -> ا, ى -> ي, ة -> ه) ---------------------------

LETTER = r"[^\W_\u0640]"  # a letter or digit (tatweel, i.e. a diacritic in the shadow, is not)
WORD_START = rf"(?<!{LETTER})"  # word start
WORD_START_PROCLITIC = rf"{WORD_START}[وبلف]?"  # word start, with an optional proclitic outside the span
WORD_END = rf"(?!{LETTER})"  # word end
DIACRITICS = r"\u0640*"  # diacritics

GREG = {
    1: ("يناير", "كانون الثاني"), 2: ("فبراير", "شباط"), 3: ("مارس", "اذار"), 4: ("ابريل", "نيسان"),
    5: ("مايو", "ايار"), 6: ("يونيو", "يونيه", "حزيران"), 7: ("يوليو", "يوليه", "تموز"),
    8: ("اغسطس", "اغسطوس", "اب"), 9: ("سبتمبر", "ايلول"), 10: ("اكتوبر", "تشرين الاول"),
    11: ("نوفمبر", "تشرين الثاني"), 12: ("ديسمبر", "كانون الاول"),
}
HIJRI = {
    1: ("محرم",), 2: ("صفر",), 3: ("ربيع الاول", "ربيع اول"),
    4: ("ربيع الثاني", "ربيع الاخر", "ربيع ثاني", "ربيع اخر"),
    5: ("جمادي الاولي", "جمادي الاول", "جمادي اولي"),
    6: ("جمادي الاخره", "جمادي الثانيه", "جمادي الاخر", "جمادي الثاني", "جمادي اخره"),
    7: ("رجب",), 8: ("شعبان",), 9: ("رمضان",), 10: ("شوال",),
    11: ("ذو القعده", "ذي القعده", "ذا القعده"), 12: ("ذو الحجه", "ذي الحجه", "ذا الحجه"),
}
MONTH = {name: (num, "gregorian") for num, names in GREG.items() for name in names}
MONTH.update({name: (num, "hijri") for num, names in HIJRI.items() for name in names})


def alternation(words) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))


NEXT = ("المقبل", "المقبله", "القادم", "القادمه", "المقبلين", "القادمين")
LAST = ("الماضي", "الماضيه", "المنصرم", "المنصرمه", "الفائت", "الفائته", "السابق", "الماضيين")
THIS = ("الجاري", "الجاريه", "الحالي", "الحاليه")
MONTH_NAME = rf"(?:{alternation(MONTH)})"
#: month names that are a date on their own (``في أغسطس``); مارس is also a verb, آب a noun
ALONE = {n for num, names in GREG.items() for n in names[:2] if " " not in n} - {"مارس", "اب", "اذار", "ايار", "نيسان", "شباط", "حزيران", "تموز", "ايلول"}
ERA = r"(?:للهجره|هجريه|هجري|ميلاديه|ميلادي|هـ|ه|م)"
WRITTEN = re.compile(
    rf"""{WORD_START}
    (?:(?:ال)?(?P<day>\d{{1,2}})(?!\d)\s*(?:من\s+)?)?
    (?P<shahr>[لب]?(?:ال)?شهر\s+)?
    [لب]?(?P<month>{MONTH_NAME}){WORD_END}
    (?:\s*[/(]?\s*(?P<month2>{MONTH_NAME}){WORD_END}\s*\)?)?
    (?:\s*(?:من\s+)?(?:(?:ال)?عام\s+|(?:ال)?سنه\s+)?(?P<year>\d{{4}})(?!\d)\s*(?P<era>{ERA}{WORD_END})?
     |\s+(?:من\s+)?(?:ال)?(?:عام|سنه)\s+(?P<ymod>{alternation(NEXT + LAST + THIS)}){WORD_END}
     |\s+(?P<mod>{alternation(NEXT + LAST + THIS)}){WORD_END})?
    """, re.VERBOSE)
NUMERIC = re.compile(
    rf"""(?<![\d/.\-])
    (?P<a>\d{{1,4}})\s?(?P<sep>[/\-.])\s?(?P<b>\d{{1,2}})\s?(?P=sep)\s?(?P<c>\d{{1,4}})
    (?![\d/\-]|\.\d)(?:\s*(?P<era>{ERA}){WORD_END})?""", re.VERBOSE)
YEAR = re.compile(
    rf"""{WORD_START_PROCLITIC}(?P<w>(?:(?:(?:ال)?(?:عام|سنه)|منذ)\s+(?P<year>\d{{4}})(?!\d)\s*(?P<era>{ERA}{WORD_END})?)
    |(?P<year2>\d{{4}})\s*(?P<era2>للهجره|هـ|ه|م){WORD_END})""", re.VERBOSE)
BARE_YEAR = re.compile(
    rf"""{WORD_START}(?:في|منذ|حتي|خلال|بحلول|مطلع|نهايه|اواخر|اوائل|بدايه|منتصف)\s+(?P<w>(?:19|20)\d\d)(?![\d%.,/\-])(?!\s*(?:{ERA}){WORD_END})""",
    re.VERBOSE)
PAIR_GAP = re.compile(r"\s*[،,(]?\s*(?:و)?(?:الموافق|الموافقه|موافق)\s*(?:ل\s*)?[(]?\s*|\s*[/\-]\s*")

WEEKDAYS = {"الاثنين": 0, "الاتنين": 0, "الثلاثاء": 1, "الاربعاء": 2, "الخميس": 3, "الجمعه": 4,
             "السبت": 5, "الاحد": 6}
WEEKDAY = re.compile(
    rf"""{WORD_START}(?:[وبل]?(?P<yawm>يوم){DIACRITICS}\s+)?[وبل]?(?P<wd>{alternation(WEEKDAYS)}){WORD_END}
    (?:\s+(?P<mod>{alternation(NEXT + LAST)}){WORD_END})?""", re.VERBOSE)
NOT_WEEKDAY_BEFORE = re.compile(rf"(?:صلاه|خطبه|خطيب|امام|جامع|بين|كلا|لقاء|بعد){DIACRITICS}\s+$")
FUTURE = re.compile(
    rf"""{WORD_START}(?:سوف|من\s+المقرر|من\s+المنتظر|من\s+المتوقع|المقرر|المزمع|يعتزم|تعتزم|
    س[يتن](?:تم|كون|عقد|قام|نطلق|بدا|شهد|زور|لتقي|صل|توجه|جري|ستمر|نظم|علن|صدر|عود|غادر|فتتح|دشن|ستضيف|قدم)\w*){WORD_END}""",
    re.VERBOSE)

NUMBER_WORDS = {"يوم": 1, "يومين": 2, "ثلاثه": 3, "اربعه": 4, "خمسه": 5, "سته": 6, "سبعه": 7, "ثمانيه": 8,
                 "تسعه": 9, "عشره": 10, "ثلاث": 3, "اربع": 4, "خمس": 5, "ست": 6, "سبع": 7, "ثماني": 8, "تسع": 9,
                 "عشر": 10, "اسبوع": 1, "اسبوعين": 2, "شهر": 1, "شهرين": 2, "عام": 1, "عامين": 2,
                 "سنه": 1, "سنتين": 2}
UNIT = {"يوما": ("day", 1), "اسبوعا": ("day", 7), "شهرا": ("month", 1), "عاما": ("year", 1),
         "يوم": ("day", 1), "يومين": ("day", 1), "ايام": ("day", 1), "اسبوع": ("day", 7),
         "اسبوعين": ("day", 7), "اسابيع": ("day", 7), "شهر": ("month", 1), "شهرين": ("month", 1),
         "اشهر": ("month", 1), "شهور": ("month", 1), "عام": ("year", 1), "عامين": ("year", 1),
         "اعوام": ("year", 1), "سنه": ("year", 1), "سنتين": ("year", 1), "سنوات": ("year", 1)}
AGO = re.compile(
    rf"""{WORD_START_PROCLITIC}(?P<w>(?:قبل|منذ){DIACRITICS}\s+(?:(?P<n>\d{{1,3}}|{alternation(k for k, v in NUMBER_WORDS.items() if 3 <= v <= 10)}){DIACRITICS}\s+)?
    (?P<unit>{alternation(UNIT)}){DIACRITICS}{WORD_END})(?!\s+(?:من|علي){WORD_END})(?!\s*\d)""", re.VERBOSE)
RELWORD = re.compile(
    rf"""{WORD_START_PROCLITIC}(?P<w>(?:(?:ال)?امس{DIACRITICS}\s+الاول|اول\s+(?:من\s+)?امس|بعد\s+غد|الليله\s+الماضيه|(?:ال)?امس|غد(?:ا)?|الغد|اليوم){DIACRITICS}){WORD_END}""",
    re.VERBOSE)
NOT_TODAY_BEFORE = re.compile(rf"(?:عين|صحيفه|جريده|مجله|موقع|ل|حتي|منذ|الي|يومنا|في){DIACRITICS}\s*[\"«“”]?\s*$")
NOT_TODAY_AFTER = re.compile(
    rf"""^\s*[\"»“”]|^\s+(?:ال(?:وطني|عالمي|اول|ثاني|ثالث|رابع|خامس|تالي|سابق|اخير|ذي|اوروبي|دولي|مفتوح|واحد)|نفسه|ذاته|التالي)""",
    re.VERBOSE)
PERIOD = re.compile(
    rf"""{WORD_START_PROCLITIC}(?P<w>(?:(?P<this>هذا|هذه)\s+)?(?P<unit>(?:ال)?اسبوع|(?:ال)?شهر|(?:ال)?عام|(?:ال)?سنه)
    (?(this)|\s+(?P<mod>{alternation(NEXT + LAST + THIS)})){WORD_END})""", re.VERBOSE)


# -- where to look: a pattern runs only in windows around its key words, found with str.find ------
#: (a full scan of every pattern over every article would cost more than the entity stage allows)

MONTH_NEEDLES = tuple(sorted({n.split()[0] for n in MONTH}))
WEEKDAY_NEEDLES = ("الاحد", "الاثنين", "الاتنين", "الثلاثاء", "الاربعاء", "الخميس", "الجمعه", "السبت")
REL_NEEDLES = ("امس", "اليوم", "غد", "الليله")
AGO_NEEDLES = ("قبل", "منذ")
PERIOD_NEEDLES = ("اسبوع", "شهر", "عام", "سنه")
DIGIT_NEEDLES = ("<four digits>",)


PREFIXES = ("", "و", "ب", "ل", "ف", "ال", "وال", "بال", "لل", "فال", "ول", "وب", "ك", "كال")


def needle_variants(needles: tuple[str, ...]) -> dict[str, str]:
    """Whole words (with proclitics, the article, accusative alef) that contain a needle: an
    article's word set tells at once which needles are worth a ``str.find``."""
    return {p + n + a: n for n in needles for p in PREFIXES for a in ("", "ا")}


#: needles -> (word -> needle, the words): built once for every needle family
VARIANTS: dict[tuple[str, ...], tuple[dict[str, str], frozenset[str]]] = {
    n: (needle_variants(n), frozenset(needle_variants(n)))
    for n in (MONTH_NEEDLES, WEEKDAY_NEEDLES, REL_NEEDLES, AGO_NEEDLES, PERIOD_NEEDLES)}
#: every word that tells a needle is present: an article's words outside this set never matter
NEEDLE_WORDS = frozenset().union(*(v[1] for v in VARIANTS.values()))
#: every written year has four digits: runs of exactly four (a lookbehind first would make ``re``
#: try every position; a digit run is found by a fast class scan)
DIGIT_RUN = re.compile(r"[0-9]{4,}")


def _not_letter(ch: str) -> bool:
    """Not a letter of a word: a pattern's word start may follow it (a digit too: ``15مارس``)."""
    return not ch.isalpha() or ch == "\u0640"


def _at_word_start(s: str, i: int) -> bool:
    """At a word start, or after a one-letter proclitic (``و ب ل ف``) there."""
    if i == 0 or _not_letter(s[i - 1]):
        return True
    return s[i - 1] in "وبلف" and (i == 1 or _not_letter(s[i - 2]))


def _can_match_at(s: str, i: int, article: bool) -> bool:
    """Whether a date pattern can read its key word at ``i``: every pattern wants it at a word
    start (after a proclitic, or the article ``ال`` where ``article``: the relative words and
    periods, ``الأمس``, ``الشهر``). A needle elsewhere in a word (``ذي`` in ``الذي``, ``عام`` in
    ``العامة``, ``غد`` in ``بغداد``) never gives a match, so it opens no window."""
    return _at_word_start(s, i) or (article and s[i - 2:i] == "ال" and i >= 2 and _at_word_start(s, i - 2))


def four_digit_runs(s: str, digits: list[int] | None = None) -> list[tuple[int, int]]:
    """(start, end) of every run of exactly four digits; from the digits' positions when given."""
    if digits is None:
        return [(a, b) for a, b in map(re.Match.span, DIGIT_RUN.finditer(s)) if b - a == 4]
    out = []
    start = prev = -2
    for i in digits:
        if i != prev + 1:
            if prev - start == 3:
                out.append((start, prev + 1))
            start = i
        prev = i
    if prev - start == 3:
        out.append((start, prev + 1))
    return out


def windows(s: str, needles: tuple[str, ...], before: int, after: int,
            words: frozenset[str] | None = None, digits: list[int] | None = None) -> list:
    """Merged (lo, hi) spans around the key words of one pattern family that occur in ``s``
    (``words``: the article's word set, so absent key words cost nothing)."""
    n = len(s)
    if needles is DIGIT_NEEDLES:
        spans = [(max(0, a - before), min(n, b + after)) for a, b in four_digit_runs(s, digits)]
    else:
        article = needles is REL_NEEDLES or needles is PERIOD_NEEDLES
        if words is not None:
            variants = VARIANTS.get(needles)
            if variants is None:
                variants = VARIANTS[needles] = (needle_variants(needles), frozenset(needle_variants(needles)))
            hit = words & variants[1]  # set & set runs over the smaller
            if not hit:
                return []
            needles = set(map(variants[0].__getitem__, hit))
        spans = []
        for w in needles:
            i = s.find(w)
            while i >= 0:
                if i == 0 or not s[i - 1].isalpha() or _can_match_at(s, i, article):  # (the usual case first)
                    spans.append((max(0, i - before), min(n, i + len(w) + after)))
                i = s.find(w, i + len(w))
    if len(spans) < 2:
        return spans
    spans.sort()
    merged: list[list[int]] = []
    for lo, hi in spans:
        if merged and lo <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], hi)
        else:
            merged.append([lo, hi])
    return merged


def scan(pattern, s: str, windows: list[tuple[int, int]]) -> list:
    """What ``pattern.finditer`` finds over ``windows`` only (lookarounds still see the whole
    string, so a match is the same as in a full scan). Successive ``search`` calls: no pattern
    here matches the empty string, and a window mostly holds one match or none, where building a
    ``finditer`` would cost more than the search."""
    seen = set()
    found = []
    n = len(s)
    search = pattern.search
    for lo, hi in windows:
        end = min(n, hi + 6)  # a few characters for the lookaheads
        m = search(s, lo, end)
        while m is not None:
            span = m.span()
            if span not in seen:
                seen.add(span)
                found.append(m)
            m = search(s, span[1], end)
    return found
