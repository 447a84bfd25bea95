"""Span rules after the CRF and the gazetteer (:func:`recognize.recognize_tokens` calls
:func:`apply`): what a reader of regional news expects and a model trained on ANERcorp gets wrong.

1. **Trigger-headed organisations** (and facilities: ``مطار عدن الدولي``, LOC) are whole spans: ``وزارة الصحة``, ``جامعة الطائف``, ``نادي
   الشباب``, ``الهيئة العامة للغذاء والدواء``, ``مركز الملك سلمان للإغاثة``: an organisation trigger
   word (``data/triggers.tsv``), then the name: definite nouns and adjectives, ``لل`` genitives and
   ``و`` + definite noun after one, known names; never a nationality adjective at the end.
2. **Places after a place trigger** (``مدينة``, ``محافظة``, ``منطقة``, ``ولاية``, ``بلدة``,
   ``قرية``): the name is LOC, without the trigger (``بمحافظة شرورة`` -> ``شرورة``), also when it is
   only a weak gazetteer name (a common word elsewhere) or the model typed it as a person.
3. **Coordinated names** are split: ``بدر السليطين ومحمد العتيبي`` -> two people, ``الدمام وجدة``
   -> two places (never inside a known name such as ``البوسنة والهرسك``).
4. **No person starts with a verb** or conjunction + verb (``وقال هامساً``): the verb is cut off,
   and the span dropped when what is left is a single word that is no name.
5. **Partial names are extended** to the gazetteer phrase that contains them (a two-word city
   found as its second word only), with the phrase's type.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from itertools import compress, count

from .cache import BoundedCache
from .data import read_table
from .lists import _PLURALS, place_lists
from .normalize import norm, skeleton
from .spans import Span

_PLACE_TRIGGERS = ("مدينة", "محافظة", "منطقة", "ولاية", "بلدة", "قرية", "إقليم", "مدينتي", "محافظتي", "كوكب")
# Triggers that head descriptions as often as names (فريق عمل, قوات الأمن, مجلس الإدارة): the
# name after them needs a word the model, the gazetteer or its rarity marks as a name.
_WEAK_ORG_TRIGGERS = ("مركز", "إدارة", "الإدارة", "مجلس", "لجنة", "حركة", "اتحاد", "المركز", "تنظيم", "حزب")
# Heads of a team's or a force's description, not part of the name (فريق الاتحاد -> الاتحاد).
_NOT_TRIGGERS = ("فريق", "قوات", "منتخب", "مجموعة", "جماعة", "تحالف", "فيلق", "كتائب", "جبهة", "حلف", "ائتلاف")
# Titles that end a name before a person (جامعة الطائف الدكتور ...).
_TITLES = ("دكتور", "دكتورة", "مهندس", "مهندسة", "أستاذ", "أستاذة", "مكلف", "معالي", "سعادة", "شيخ", "أمير",
           "لواء", "عقيد", "عميد", "رئيس", "مدير", "مديرة", "وكيل", "محافظ", "أمين", "نائب")
# Facilities whose trigger is part of the place's name (مطار عدن الدولي, منفذ العبدلي): LOC.
_FACILITIES = ("مطار", "قاعدة", "منفذ", "قاعة", "ميناء", "مسجد", "المسجد", "جامع", "ملعب", "استاد", "برج", "قصر",
               # natural features whose head is part of the name (بحر المانش, جبل طارق, وادي الدواسر)
               "بحر", "نهر", "جبل", "بحيرة", "مضيق", "وادي", "صحراء")
# Royal and religious titles inside a name (جامعة الملك سعود, مستشفى الملك فهد, مركز الأمير سلطان):
# the indefinite given name after them belongs to the name.
_ROYAL = ("ملك", "أمير", "أميرة", "شيخ", "سلطان", "إمام")
# Named competitions and initiatives (دوري أبطال أوروبا, كأس خادم الحرمين الشريفين, مبادرة السلام
# العربية): MISC, with a trailing nationality adjective (الدوري الألماني).
_EVENTS = ("دوري", "الدوري", "كأس", "بطولة", "مبادرة", "جائزة", "مهرجان", "أولمبياد", "مونديال")
# Name particles after which an indefinite word still belongs to the name (بلدية أبو عريش).
_PARTICLES = ("أبو", "ابو", "أبي", "ابن", "بن", "آل", "أم", "ام", "ذي", "ذو")
_GENERIC = ("الإدارة", "الأمن", "الامن", "العمل", "الرعاية", "الأمناء", "الطوارئ", "التحرير", "الأعمال", "العمل")
_ORG_EXTRA_TRIGGERS = ("بلدية", "شرطة", "غرفة", "إدارة", "الإدارة", "أمانة", "جمعية", "مستشفى", "المؤسسة",
                       "الهيئة", "المركز", "مديرية", "كلية", "نقابة", "صندوق", "بورصة", "سلطة", "مجمع")
# Frequent verbs that open a sentence or a quotation (and so a false person after them).
_VERBS = ("قال", "قالت", "أكد", "أكدت", "أشار", "أشارت", "أوضح", "أوضحت", "أضاف", "أضافت", "ذكر", "ذكرت",
          "كشف", "كشفت", "أعلن", "أعلنت", "بين", "بينت", "لفت", "لفتت", "تابع", "تابعت", "رأى", "اعتبر",
          "طالب", "دعا", "شدد", "نفى", "أفاد", "صرح", "زار", "التقى", "استقبل", "وصل", "غادر", "يقول", "تقول",
          "يرى", "أشاد", "أبلغ", "سأل", "رد", "علق", "أجاب", "اختتم", "ختم", "افتتح", "دشن", "وجه", "تلقى",
          "أصدر", "هنأ", "عزى", "بحث", "ناقش", "أجرى", "ترأس", "رعى", "اشرك", "أشرك", "مقعد", "ليشكو")
# Words that end a trigger-headed name (prepositions, particles, relatives).
_STOP = ("في", "من", "على", "إلى", "الى", "عن", "مع", "أن", "إن", "ان", "التي", "الذي", "الذين", "كما",
         "بعد", "قبل", "خلال", "حول", "عبر", "منذ", "حتى", "بين", "لدى", "عند", "أو", "او", "ثم", "قد", "لا",
         "لم", "لن", "ما", "هو", "هي", "وقد", "كان", "كانت", "وفق", "وفقا", "ضمن", "تجاه", "نحو", "أمس", "اليوم")
MAX_ORG = 7
# Adjectives that are part of many names (مجلس الأمن الدولي, الجامعة العربية, مجلس التعاون
# الخليجي): never trimmed off the end of a span.
GENERIC_ADJ = frozenset(skeleton(norm(w + s)) for w in ("دولي", "عربي", "خليجي", "أممي", "إقليمي", "أوروبي", "أفريقي",
                                                          "إفريقي", "آسيوي", "غربي", "لاتيني") for s in ("", "ة"))
# Heads whose names coordinate their portfolios with و (وزارة الشؤون الإسلامية والأوقاف والدعوة
# والإرشاد, معهد الأئمة والخطباء, هيئة التحقيق والادعاء العام).
COORD_TRIGGERS = frozenset(skeleton(norm(w)) for w in ("وزارة", "هيئة", "معهد", "كلية", "جمعية", "مؤسسة", "أكاديمية"))
# Descriptive adjectives that follow a name but are no part of it.
END_ADJ = frozenset(skeleton(norm(w)) for w in ("الإرهابي", "الإرهابية", "المتطرف", "المتطرفة", "الفضائية",
                                                 "المحظور", "المحظورة", "المزعوم", "المزعومة", "المسلح", "المسلحة"))
_TANWEEN = re.compile("[\u064b\u064c\u064d]")


def _forms(words: Iterable[str]) -> frozenset[str]:
    return frozenset(skeleton(norm(w)) for w in words)


PLACE_TRIGGERS = _forms(_PLACE_TRIGGERS)
WEAK_ORG_TRIGGERS = _forms(_WEAK_ORG_TRIGGERS) | _forms(w[2:] for w in _WEAK_ORG_TRIGGERS if w.startswith("ال"))
GENERIC = _forms(_GENERIC) | _forms(w[2:] for w in _GENERIC)
TITLES = _forms(_TITLES)
PARTICLES = _forms(_PARTICLES)
PARTICLES_OR_PLACES = PARTICLES | PLACE_TRIGGERS
ROYAL = _forms(_ROYAL)
NOT_TRIGGERS = _forms(_NOT_TRIGGERS)
FACILITIES = _forms(_FACILITIES) | _forms(w[2:] for w in _FACILITIES if w.startswith("ال"))
EVENTS = _forms(_EVENTS) | _forms(w[2:] for w in _EVENTS if w.startswith("ال"))
VERBS = _forms(_VERBS)
STOP = _forms(_STOP)


_CLITICS = ("", "و", "ف", "ب", "ل", "ك", "وب", "ول", "فب", "فل", "وك")
_ARTICLES = ("ال", "وال", "فال", "بال", "كال", "لل", "ولل", "فلل", "وبال", "فبال", "وكال")


def _raw_forms(words: Iterable[str]) -> set[str]:
    """Every surface form of the words with their proclitics and article, in the usual spelling
    variants (أ/إ/ا, ة/ه, ى/ي): a set look-up per raw token finds the few tokens worth a closer look."""
    out: set[str] = set()
    for w in words:
        w = w.strip()
        bare = w[2:] if w.startswith("ال") else w
        stems = {bare, bare.replace("ة", "ه"), bare.replace("ى", "ي")}
        if bare[:1] in "أإا":
            stems |= {c + x[1:] for x in set(stems) for c in "أإا"}
        for stem in stems:
            out.update(p + stem for p in _CLITICS)
            out.update(p + stem[1:] if p.endswith("لل") and stem.startswith("ل") else p + stem for p in _ARTICLES)
    return out


def _org_trigger_words() -> list[str]:
    words: list[str] = list(_ORG_EXTRA_TRIGGERS) + list(_FACILITIES) + list(_EVENTS)
    for row in read_table("triggers.tsv"):
        if row[0].strip() == "ORG":
            words += [w for w in row[1].split("|") if " " not in w.strip()]
    return [w for w in words if skeleton(norm(w)) not in NOT_TRIGGERS]


@functools.lru_cache(maxsize=1)
def raw_triggers() -> frozenset[str]:
    """Surface forms of every organisation, facility, event and place trigger."""
    return frozenset(_raw_forms(_org_trigger_words() + list(_PLACE_TRIGGERS) + list(_PLURALS)))


@functools.lru_cache(maxsize=1)
def raw_plurals() -> frozenset[str]:
    """Surface forms of the plural place nouns that announce a list of places (:mod:`lists`)."""
    return frozenset(_raw_forms(_PLURALS))


@functools.lru_cache(maxsize=1)
def org_triggers() -> frozenset[str]:
    words = _org_trigger_words()
    out = set()
    for w in words:
        n = norm(w.strip())
        out.add(skeleton(n))
        out.add(skeleton(n[2:]) if n.startswith("ال") else skeleton("ال" + n))
    return frozenset((out - NOT_TRIGGERS) | FACILITIES | EVENTS)


class _Words:
    """Per-token facts the rules need (normalised form, proclitic, article), cached (bounded)."""

    def __init__(self, model) -> None:
        self.model = model
        self.cache: BoundedCache[str, tuple[str, str, bool, str]] = BoundedCache(100_000)

    def __call__(self, tok: str) -> tuple[str, str, bool, str]:
        """(bare skeleton: proclitics and article off; skeleton without و/ف/ب/ل/ك but with the
        article; has the article; the proclitic)."""
        c = self.cache.get(tok)
        if c is None:
            from .clitics import proclitic

            w = norm(tok)
            # a trigger word is never split (بلدية is no ب + لدية)
            p = "" if skeleton(w) in org_triggers() or skeleton(w) in PLACE_TRIGGERS else proclitic(w, self.model.lex)
            core = w[len(p):] or w
            article = p.endswith("ال") or p.endswith("لل") or (not p and w.startswith("ال") and len(w) > 3)
            bare = skeleton(core[2:] if not p and article else core)
            with_art = skeleton(("ال" if article else "") + (core[2:] if not p and article else core))
            c = self.cache.put(tok, (bare, with_art, article, p))
        return c


@functools.lru_cache(maxsize=8)
def _words(model) -> _Words:
    return _Words(model)


def _is_word(tok: str) -> bool:
    return tok[:1].isalpha()


def _proclitic_of(model, tok: str) -> str:
    return _words(model)(tok)[3]


def _nat(model, tok: str) -> bool:
    kf = model.token_keys(tok)[0]
    return "NAT" in model.gaz.token_types_frozen.get(kf, ())


is_nationality = _nat


def _org_extent(model, tokens: list[str], i: int, labels_entity: list[bool], per_starts: set[int],
                gaz_starts: frozenset[int] | set[int] = frozenset()) -> int:
    """End (exclusive) of the trigger-headed name starting at trigger ``i``, or ``i`` for none."""
    words = _words(model)
    types = model.gaz.token_types_frozen
    n = len(tokens)
    trig_bare, _, trig_article, _ = words(tokens[i])
    j = i + 1
    genitive = False
    name_like = trig_bare not in WEAK_ORG_TRIGGERS and trig_bare not in FACILITIES
    coord = trig_bare in COORD_TRIGGERS
    while j < n and j - i < MAX_ORG:
        tok = tokens[j]
        if not _is_word(tok):
            break
        bare, with_art, article, p = words(tok)
        if bare in STOP or with_art in STOP or (j == i + 1 and bare in GENERIC):
            break
        tper = "TPER" in types.get(bare, ()) or bare in TITLES
        prev = words(tokens[j - 1])[0]
        if j > i + 1 and (tper or (j in per_starts and "TPER" not in types.get(prev, ())
                                   and prev not in PARTICLES_OR_PLACES)):
            break  # a title or a person after the name (جامعة الطائف الدكتور ...)
        if not name_like and (labels_entity[j] or bare in types or model.featurizer.freq.get(norm(tok), 0) <= 6):
            name_like = True
        if p.startswith("ب") or p.startswith("ك") or p in ("و", "ف"):  # بمنطقة, a new clause
            break
        if p.startswith("و") and not genitive and not (coord and article and j > i + 1):
            break  # و + noun inside a genitive chain (للغذاء والدواء) or a portfolio list (والأوقاف)
        if j > i + 1 and with_art in END_ADJ:  # داعش الإرهابي, ناسا الفضائية: a description
            break
        if _nat(model, tok) and j > i + 1 and model.token_keys(tok)[1] not in GENERIC_ADJ:  # الدولي stays
            if trig_bare in EVENTS:  # الدوري الألماني
                j += 1
            break
        if j == i + 1 and p.startswith("ل"):
            break  # إدارة للتوقيع: a name does not start with a preposition
        if p.startswith("لل") or (p.startswith("ل") and article):
            genitive = True
        elif bare in PLACE_TRIGGERS or prev in PARTICLES_OR_PLACES or j in gaz_starts or (
                prev in ROYAL and words(tokens[j - 1])[2]):
            pass  # بلدية محافظة أبو عريش, بلدية وادي الدواسر (a known name starts here)
        elif (trig_bare in EVENTS and not article and j + 1 < n and _is_word(tokens[j + 1])
              and (words(tokens[j + 1])[2] or labels_entity[j + 1])):
            pass  # a construct chain: دوري أبطال أوروبا, كأس خادم الحرمين
        elif not article and not labels_entity[j]:
            if j > i + 1 or trig_article:
                break
            # an indefinite word right after the trigger: a foreign or proper name (ناسا، كفى)
            # when the gazetteer knows it or it is rare as a word
            if model.featurizer.freq.get(norm(tok), 0) > 8 and not _name_start(model, tok):
                break
        j += 1
    if trig_bare in EVENTS and j > i + 1:
        return j
    if (trig_article and not genitive) or not name_like:  # الهيئة + adjective, فريق عمل: descriptions
        return i
    return j if j > i + 1 else i


def apply(model, tokens: list[str], spans: list, gaz: list) -> list:
    """The rules above, on the spans of one sentence (:class:`spans.Span`); returns the new list."""
    raw = raw_triggers()
    cands = [] if raw.isdisjoint(tokens) else list(compress(count(), map(raw.__contains__, tokens)))
    if not cands and not spans:
        return spans
    known_phrase = {(i, j) for i, j, e in gaz if not e.weak} if gaz else set()
    if cands:
        spans = _triggers(model, tokens, spans, gaz, cands, known_phrase)
        if not raw_plurals().isdisjoint(tokens):
            spans = place_lists(model, tokens, spans, gaz, _words(model), STOP, raw_plurals)
    if not _QUOTES.keys().isdisjoint(tokens):
        spans = _quoted_names(model, tokens, spans)
    return _spans(model, tokens, spans, gaz, known_phrase)


_QUOTES = {'"': '"', "«": "»", "“": "”"}
# Heads of a work's, a campaign's or an event's quoted name (برنامج "سفيرات الحزم", حملة "...").
WORK_TRIGGERS = _forms(("برنامج", "مسلسل", "فيلم", "كتاب", "رواية", "ديوان", "حملة", "مبادرة", "مهرجان", "معرض",
                        "مسابقة", "ملتقى", "عملية", "وسم", "هاشتاق", "أغنية", "قصيدة", "مسرحية"))
MAX_QUOTED = 5


def _quoted_names(model, tokens: list[str], spans: list) -> list:
    """Names between quotes (guide rule 7: the name without its trigger or the quote marks):
    after an organisation trigger an ORG (``جمعية "كفى"``), after a work or campaign trigger a
    MISC (``برنامج "سفيرات الحزم"``), and a news outlet named alone is the outlet, also when its
    name is a common word or a place (``قال لـ"سبق"``, ``ل«عكاظ»``: ``Gazetteer.outlets``)."""
    outlets = model.gaz.outlets
    key = model.gaz.key_inner
    words = _words(model)
    n = len(tokens)
    for k in list(compress(count(), map(_QUOTES.__contains__, tokens))):
        close = _QUOTES[tokens[k]]
        m = next((m for m in range(k + 2, min(n, k + 2 + MAX_QUOTED)) if tokens[m] == close), None)
        if m is None or not all(_is_word(t) or t.isdigit() for t in tokens[k + 1:m]):
            continue
        trig = words(tokens[k - 1]) if k > 0 and _is_word(tokens[k - 1]) else None
        e = outlets.get(tuple(key(t) for t in tokens[k + 1:m]))
        if trig is not None and (trig[0] in org_triggers() or trig[1] in org_triggers()) and trig[0] not in EVENTS:
            typ = "LOC" if trig[0] in FACILITIES else "ORG"
        elif trig is not None and (trig[0] in WORK_TRIGGERS or trig[0] in EVENTS):
            typ, e = "MISC", None
        elif e is not None:
            typ = "ORG"
        else:
            continue
        spans = [s for s in spans if not (s.i < m and k + 1 < s.j) and not (s.i == k - 1 and s.j == k)]
        spans.append(Span(k + 1, m, typ, e, "rule:quoted"))
    return spans


def _triggers(model, tokens: list[str], spans: list, gaz: list, cands: list[int], known_phrase: set) -> list:
    """Rules 1 and 2, at the trigger candidates ``cands``."""
    n = len(tokens)
    words = _words(model)
    orgs = org_triggers()
    entity_tok = [False] * n
    for s in spans:
        for k in range(s.i, s.j):
            entity_tok[k] = True
    gaz_at = {i: (j, e) for i, j, e in gaz}
    per_starts = {s.i for s in spans if s.type == "PER"}
    strong_starts = {i for i, _, e in gaz if not e.weak}

    # 1. trigger-headed organisations
    for i in cands:
        bare, with_art, _, _ = words(tokens[i])
        if bare not in orgs and with_art not in orgs:
            continue
        if any(s.i < i < s.j and (s.i, s.j) in known_phrase for s in spans):
            continue  # inside a known name
        j = _org_extent(model, tokens, i, entity_tok, per_starts, strong_starts)
        if j <= i:
            continue
        over = [s for s in spans if s.i < j and i < s.j]
        if any(s.entry is not None and not s.entry.weak and (s.j - s.i) > (j - i) and s.i <= i
               for s in over):
            continue  # a longer known name covers it
        for s in over:
            spans.remove(s)
        if any(s.i < j and i < s.j for s in spans):
            continue
        spans.append(Span(i, j, "LOC" if bare in FACILITIES else "MISC" if bare in EVENTS else "ORG", None,
                          "rule:trigger"))
        for k in range(i, j):
            entity_tok[k] = True
        if j < n and _nat(model, tokens[j]):  # وزارة الصحة السعودية: the adjective is no place
            spans[:] = [s for s in spans if not (s.i == j and s.j == j + 1)]

    # 2. places after a place trigger
    for i in cands:
        if i == n - 1 or words(tokens[i])[0] not in PLACE_TRIGGERS:
            continue
        if any(s.i <= i < s.j and s.type == "ORG" for s in spans):
            continue  # part of an organisation's name (بلدية محافظة أبو عريش)
        g = gaz_at.get(i + 1)
        inside = [s for s in spans if s.i <= i < s.j]
        if any((s.i, s.j) in known_phrase for s in inside):
            continue  # a fixed name that holds the trigger (المدينة المنورة)
        nxt = [s for s in spans if s.i == i + 1]
        if g is not None and g[1].type == "LOC" and not (
                g[1].weak and model.featurizer.freq.get(norm(tokens[i + 1]), 0) > 9):  # منطقة عالية: "high"
            j, e = g
            for s in [s for s in spans if s.i < j and i < s.j]:
                spans.remove(s)
            spans.append(Span(i + 1, j, "LOC", e, "rule:place-trigger" if e.weak else "gazetteer"))
        elif nxt:
            for s in nxt:
                s.type = "LOC"
        else:
            for s in inside:  # the model took the trigger into the span: cut it off, type LOC
                if s.i == i and s.j > i + 1 and s.type != "ORG":
                    s.i = i + 1
                    s.type = "LOC"

    return spans


def _spans(model, tokens: list[str], spans: list, gaz: list, known_phrase: set) -> list:
    """Rules 3 to 5, on every span."""
    words = _words(model)
    # 3. coordinated names
    out = []
    for s in spans:
        if s.type in ("PER", "LOC") and s.j - s.i >= 2 and (s.i, s.j) not in known_phrase and not (
                s.entry is not None and not s.entry.weak) and any(tokens[k][0] == "و" for k in range(s.i + 1, s.j)):
            cuts = [k for k in range(s.i + 1, s.j) if _proclitic_of(model, tokens[k]) == "و"
                    and _name_start(model, tokens[k])]
            if cuts:
                a = s.i
                for k in cuts + [s.j]:
                    if k > a:
                        out.append(Span(a, k, s.type, None, s.source))
                    a = k
                continue
        out.append(s)
    spans = out

    # 4. no person starts with a verb; a lone word with tanween (هامساً) is no name, nor a very
    # frequent word the gazetteer does not know (لي "to me")
    out = []
    for s in spans:
        if (s.j - s.i == 1 and s.entry is None and s.source == "model"
                and model.featurizer.freq.get(norm(tokens[s.i]), 0) >= 11 and not _name_start(model, tokens[s.i])):
            continue
        if s.type == "PER" and words(tokens[s.i])[0] in VERBS:
            s.i += 1
            if s.j - s.i == 0 or (s.j - s.i == 1 and not _name_start(model, tokens[s.i])):
                continue
        if s.type == "PER" and s.j - s.i == 1 and _TANWEEN.search(tokens[s.i]):
            continue
        out.append(s)
    spans = out

    # 5. partial names extended to the gazetteer phrase that holds them
    phrases = [(i, j, e) for i, j, e in gaz if j - i >= 2 and not e.weak]
    for s in spans if phrases else ():
        for i, j, e in phrases:
            if (i <= s.i and s.j <= j and j - i > s.j - s.i
                    and not any(t is not s and t.i < j and i < t.j for t in spans)):
                s.i, s.j, s.type, s.entry = i, j, e.type, e
                break
    # 6. a nasab chain or a lone given name ends with the family name (سعود بن إبراهيم الشريم,
    # فيصل بن سلمان آل سعود, عزام الدخيل)
    for s in spans:
        if s.type == "PER" and (s.j - s.i >= 3 and words(tokens[s.j - 2])[0] in PARTICLES or s.j - s.i == 1 and (
                "GIVEN" in model.gaz.token_types_frozen.get(words(tokens[s.i])[0], ()))):
            s.j = _family_name_end(model, tokens, s.j, spans)
    spans.sort(key=lambda s: s.i)
    return spans


_AL = skeleton(norm("آل"))


def _family_name_end(model, tokens: list[str], j: int, spans: list) -> int:
    """End of a name after its nasab: ``آل`` + a word, or one rare definite word starting no span."""
    n = len(tokens)
    if j >= n or any(t.i == j for t in spans) or not _is_word(tokens[j]):
        return j
    bare, with_art, article, p = _words(model)(tokens[j])
    if bare == _AL and p == "" and j + 1 < n and _is_word(tokens[j + 1]) and not any(t.i == j + 1 for t in spans):
        return j + 2
    if (p not in ("", "ال") or not article or bare in STOP or bare in TITLES or _nat(model, tokens[j])
            or "TPER" in model.gaz.token_types_frozen.get(bare, ())
            or model.featurizer.freq.get(norm(tokens[j]), 0) > 6):
        return j
    return j + 1


def _name_start(model, tok: str) -> bool:
    """Is the token (a clitic off) a given name or a gazetteer name's word?"""
    types = model.gaz.token_types_frozen.get(model.token_keys(tok)[0], ())
    return any(t in ("GIVEN", "PER", "LOC", "ORG", "partPER", "partLOC", "partORG") for t in types)
