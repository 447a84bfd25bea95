"""The vocabulary of reported speech in Arabic news, and quote-mark pairing (for :mod:`.quotes`).

Words are in shadow spelling (:mod:`.shadow`: alef variants -> ا, ى -> ي, ة -> ه, no diacritics).
"""

from __future__ import annotations

import re

MAX_DEPTH = 8  # quote-mark nesting kept per paragraph

# -- lexicon (shadow spelling) ---------------------------------------------------------------------

M, F, PL = "m", "f", "pl"


def _regular(perf: str, imperf: str, part: str | None) -> dict[str, tuple[str, str]]:
    forms = {perf: M, perf + "ت": F, perf + "وا": PL, perf + "ا": M, perf + "تا": F,
             "ي" + imperf: M, "ت" + imperf: F, "ي" + imperf + "ون": PL}
    out = {f: ("verb", g) for f, g in forms.items()}
    if part:
        out.update({part + "ا": ("part", M), part: ("part", M), part + "ه": ("part", F),
                    part + "ين": ("part", PL), part + "ون": ("part", PL)})
    return out


VERBS: dict[str, tuple[str, str]] = {}
for _p, _i, _a in (
    ("قال", "قول", "قائل"), ("اضاف", "ضيف", "مضيف"), ("اشار", "شير", "مشير"), ("اكد", "ؤكد", "مؤكد"),
    ("اوضح", "وضح", "موضح"), ("لفت", "لفت", "لافت"), ("صرح", "صرح", "مصرح"), ("اعلن", "علن", "معلن"),
    ("ذكر", "ذكر", "ذاكر"), ("شدد", "شدد", "مشدد"), ("حذر", "حذر", "محذر"), ("اعتبر", "عتبر", "معتبر"),
    ("نقل", "نقل", None), ("بين", "بين", "مبين"), ("افاد", "فيد", None), ("كشف", "كشف", "كاشف"),
    ("نوه", "نوه", "منوه"), ("اعترف", "عترف", "معترف"), ("اردف", "ردف", "مردف"), ("زعم", "زعم", "زاعم"),
    ("اكد", "اكد", None), ("اقر", "قر", None), ("ابان", "بين", None),
    ("استطرد", "ستطرد", "مستطرد"), ("تابع", "تابع", None), ("توقع", "توقع", None),
):
    for _form, _kg in _regular(_p, _i, _a).items():
        VERBS.setdefault(_form, _kg)
# irregular forms
VERBS.update({"نفي": ("verb", M), "نفت": ("verb", F), "نفوا": ("verb", PL), "ينفي": ("verb", M),
               "تنفي": ("verb", F), "نافيا": ("part", M), "نافيه": ("part", F),
               "رات": ("verb", F), "راوا": ("verb", PL), "يري": ("verb", M), "تري": ("verb", F),
               "يرون": ("verb", PL), "قلت": ("verb", None), "قلنا": ("verb", None)})
for _bad in ("بين", "تبين", "يبين", "مقر", "مقرا", "تابع", "يتابع", "تتابع", "كشف", "ذكر", "قائل",
             "مؤكد", "نقل", "نقلا", "توقع", "متوقع"):
    VERBS.pop(_bad, None)
#: forms that are a verb only with a proclitic (``وبين`` "and he explained", never ``بين`` "between")
WITH_PROCLITIC = {"بين": ("verb", M), "راي": ("verb", M), "تابع": ("verb", M), "كشف": ("verb", M),
                   "ذكر": ("verb", M), "اعلن": ("verb", M), "توقع": ("verb", M), "نقل": ("verb", M), "نقلت": ("verb", F)}
IMPERSONAL = {"يذكر", "يشار", "يذكران"}
SPEECH_PARTICIPLES = ("مضيف", "قائل")
RELAY = {"نقل", "نقلت", "نقلوا", "ينقل", "تنقل"}
RELAY_ADVERB = "نقلا"

#: ``أن/إن`` and ``بأن`` with every attached pronoun (``أنه، أنها، أننا ...``)
COMPLEMENTIZER = frozenset(p + "ان" + s for p in ("", "ب")
                           for s in ("", "ه", "ها", "هم", "هما", "هن", "نا", "ني", "ي", "كم", "ك"))
NOT_COMPLEMENTIZER_AFTER = {"بعد", "قبل", "منذ", "دون", "بدون", "حتي", "لاجل", "اجل", "بمجرد", "الا", "كما", "رغم",
                            "يمكن", "يجب", "ينبغي", "ما", "لو", "فبعد", "وبعد"}
STOP = {"في", "خلال", "امام", "عقب", "بعد", "قبل", "عبر", "لدي", "حول", "ضمن", "منذ", "اثناء", "عن", "علي", "الي",
         "اليوم", "امس", "غدا", "صباح", "مساء", "ظهر", "عصر", "ليل", "ليله", "فجر", "يوم", "الذي", "التي", "الذين",
         "وفي", "وخلال", "فيه", "فيها", "له", "لها", "لهم", "الاحد", "الاثنين", "الثلاثاء", "الاربعاء", "الخميس",
         "الجمعه", "السبت", "انه", "بدوره", "بدورها", "ايضا", "كذلك", "لـ", "ل", "امس", "اول", "من", "وهو", "وهي",
         "الاسبوع", "الشهر", "العام", "للصحفيين", "للصحافيين", "للصحف", "لصحيفه", "لوكاله", "لقناه", "لموقع",
         "لوسائل", "لتلفزيون", "لاذاعه", "لجريده", "لمجله", "للتلفزيون", "للاذاعه", "بحسب", "حسب", "وفق", "وفقا",
         "تعليقا", "ردا", "معلقا", "لاحقا", "مرارا", "سابقا", "مؤخرا", "اخيرا", "امس", "حاليا", "مجددا", "بدوره", "بدورها",
         "صحفيا", "صحافيا", "ما", "كل", "هذا", "هذه", "ذلك", "تلك", "بان", "اليوم", "الجمعه", "ردا", "اثر", "عقب", "بشكل", "بصوره", "حيث", "كما", "ان", "بعدما", "بينما", "حين", "عندما", "اذ", "لكن", "مع"}
NAMING = {"وكاله", "صحيفه", "جريده", "قناه", "موقع", "برنامج", "مبادره", "حمله", "مشروع", "شعار", "عنوان",
           "بعنوان", "مسمي", "اسم", "باسم", "وسم", "هاشتاق", "هاشتاغ", "كتاب", "روايه", "فيلم", "مسلسل", "تطبيق",
           "منصه", "مؤتمر", "ملتقي", "معرض", "مهرجان", "جائزه", "مسابقه", "عمليه", "تنظيم", "حزب", "جماعه", "حركه",
           "شركه", "مجموعه", "فرقه", "نادي", "مجله", "ورشه", "دوره", "ندوه", "محاضره", "مسرحيه", "قصيده", "ديوان",
           "لقب", "مصطلح", "كلمه", "مسمي", "ائتلاف", "تحالف", "مركز", "جمعيه", "قائمه", "فعاليه", "فعاليات"}
ADVERBIAL = {"من", "جانبه", "جانبها", "جهته", "جهتها", "جانبهم", "جهتهم", "بدوره", "بدورها", "بدورهم", "،", ","}
CLAUSE_BREAK = {"فيما", "بينما", "وفيما", "وبينما"}

LETTER = re.compile(r"[^\W_]")
NOT_LEAD = re.compile(r"[^\s،,\-–]")
QUOTE_MARK = re.compile(r'["«»“”„]')
#: a statement needs one of these after its trigger: a complementizer, a colon or a quote mark
STATEMENT_CUE = re.compile(r'(?<![^\W_\u0640])ب?ان|:|["«»“”„]')
TOKEN = re.compile(r"[\w\u0640]+|\n|[^\s\w]")  # stdlib re: cheaper per match than regex


# -- quote marks -----------------------------------------------------------------------------------

_OPENERS_OF = {'"': '"', "»": "«", "“": "“”„", "”": "“”„"}  # a closing mark -> the marks it closes


def _pair_straight_marks(text: str, marks: list[int]) -> list[tuple[int, int]]:
    """Every mark is ``"``: the general pairing below then pairs them two by two in each
    paragraph (a lone last one is dropped); the same result without its stack."""
    out = []
    opened = -1
    nl = text.find("\n")
    for i in marks:
        if 0 <= nl < i:  # a new paragraph: an opener left over is dropped
            opened = -1
            nl = text.find("\n", i)
        if opened < 0:
            opened = i
        else:
            out.append((opened, i))
            opened = -1
    return out


def pair_quote_marks(text: str, marks: list[int] | None = None) -> list[tuple[int, int]]:
    """Outermost balanced quote-mark pairs as (open index, close index), paragraph by paragraph
    (``marks``: the positions of the quote marks, when the caller knows them)."""
    if marks is not None and text.count('"') == len(marks):
        return _pair_straight_marks(text, marks)
    out: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    closed: list[tuple[int, int]] = []

    def flush() -> None:
        if not closed and not stack:
            return
        closed.sort()
        last = -1
        for o, c in closed:
            if o > last:
                out.append((o, c))
                last = c
        closed.clear()
        stack.clear()

    nl = text.find("\n")  # the end of the paragraph being read (-1: the last one)
    for i in marks if marks is not None else [m.start() for m in QUOTE_MARK.finditer(text)]:
        ch = text[i]  # only the marks are visited: paragraphs are told by str.find
        if 0 <= nl < i:
            flush()
            nl = text.find("\n", i)
        closer_of = _OPENERS_OF.get(ch)
        hit = -1
        if closer_of is not None:
            for k in range(len(stack) - 1, max(-1, len(stack) - 4), -1):
                if stack[k][0] in closer_of and not (ch in "“”" and stack[k][0] == '"'):
                    hit = k
                    break
        if hit >= 0:
            o = stack[hit][1]
            del stack[hit:]
            closed.append((o, i))
        elif ch != "»" and len(stack) < MAX_DEPTH:
            stack.append((ch, i))
    flush()
    return out



Tok = tuple[int, int, str]  # start, end, the shadow word without diacritics


class TokenStream:
    """Tokens of ``s[start:end]``, read only as far as someone asks (a trigger's statement is
    usually found a few words on; tokenising whole articles would cost more than the rest)."""

    __slots__ = ("toks", "_s", "_pos", "_end")

    def __init__(self, s: str, start: int, end: int, first: Tok | None = None):
        self.toks: list[Tok] = [first] if first else []
        self._s, self._pos, self._end = s, start, end  # searched token by token: no finditer to build

    def get(self, j: int) -> Tok | None:
        toks = self.toks
        while len(toks) <= j:
            m = TOKEN.search(self._s, self._pos, self._end)  # (TOKEN never matches the empty string)
            if m is None:
                return None
            a, self._pos = m.span()
            w = m.group()
            toks.append((a, self._pos, w.replace("\u0640", "") if "\u0640" in w else w))
        return toks[j]


def lookup(w: str) -> tuple[str, str | None] | None:
    """(kind, gender) of a reporting verb or participle, with or without ``و``/``ف``."""
    hit = VERBS.get(w)
    if hit is None and len(w) > 3 and w[0] in "وف":
        hit = VERBS.get(w[1:]) or WITH_PROCLITIC.get(w[1:])
    return hit


def is_comp(w: str, prev: str) -> bool:
    return w in COMPLEMENTIZER and prev not in NOT_COMPLEMENTIZER_AFTER


#: Every spelling a trigger may have as a whitespace-separated word of the words-only shadow.
TRIGGER_WORDS = frozenset(
    {f for f in VERBS} | {p + f for f in VERBS for p in "وف"} | {p + f for f in WITH_PROCLITIC for p in "وف"})
SENTENCE_END = re.compile(r"[.!?؟\n]")
NARRATOR_RESUMES = re.compile(r"[،,]\s*(?:و?فيما|و?بينما)(?![^\W_\u0640])")
