"""Attributed statements in Arabic news: direct quotes and reported speech, with their speakers.

The text is read once as tokens of its same-length shadow (:mod:`.shadow`), so every offset is an
offset into ``text``. Three passes, each linear in the length of the text:

1. **Quote marks** (``"…"``, ``«…»``, ``“…”`` / ``”…“``) are paired per paragraph with a bounded
   stack; only outermost pairs count (nested quotes never give overlapping spans) and an opener
   with no closer in its paragraph is ignored. A pair of fewer than three words after a naming
   noun (``وكالة "رويترز"``, ``حلف "الناتو"``) is a name, not a quotation.
2. **Triggers**: a reporting verb in any person, gender or tense (``قال، قالت، يقول، أكدوا``),
   or its participle (``مضيفا``, ``مضيفة``, ``مشيرا``), optionally with ``و``/``ف``. From each
   trigger the sentence is read forward: the noun phrase after a verb is the speaker; the
   statement is what follows ``أن/إن`` (and their pronoun forms, ``بأن``, ``إلى أن``) or ``:``,
   or the quotation that comes first. ``نقل X عن Y`` (and ``نقلا عن Y``) makes Y the speaker
   and X the relay (``via``).
3. **Speakers**: a trigger with no noun phrase (``وأضافت``, ``مضيفة``) continues the most recent
   speaker whose verb agrees in gender; a bare role (``الوزير``) that an earlier speaker's phrase
   starts with is that speaker; a quotation that opens a sentence continues the last speaker.
   A speaker is linked to the entity whose mention lies inside its phrase (PER first).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from .model import Quote, Speaker
from .sentences import Layout
from .shadow import bare, diacritised_words, shadow, word_set, words_only
from .speech import (
    ADVERBIAL, NARRATOR_RESUMES, CLAUSE_BREAK, IMPERSONAL, NOT_LEAD, LETTER, QUOTE_MARK, NAMING, RELAY, RELAY_ADVERB,
    SPEECH_PARTICIPLES, STOP, TRIGGER_WORDS, VERBS, F, M, PL, Tok, is_comp, lookup, TokenStream,
)

__all__ = ["Quote", "Speaker", "find_quotes", "EntitySpan"]

MAX_SCAN = 60  # tokens read forward from a trigger for its statement
MAX_SCAN_CHARS = 1000  # ... and characters (bounds the work per trigger, so the whole stays linear)
MAX_SPEAKER = 12  # tokens in a speaker's phrase


#: (start, end, entity index, type) of an entity mention in the text.
EntitySpan = tuple[int, int, int, str]

# -- the reader ------------------------------------------------------------------------------------

@dataclass(slots=True)
class _Stmt:
    start: int
    end: int
    direct: bool
    verb: str | None
    speaker: Speaker | None
    via: Speaker | None
    gender: str | None
    pos: int  # where the trigger stood (for the order of continuations)
    subject: tuple[Speaker, str | None, int] | None = None  # the clause's own subject (phrase, gender, sentence)


class _Reader(Layout):
    def __init__(self, text: str, entities: list[EntitySpan], s: str | None = None, w: str | None = None,
                 marks: list[int] | None = None, ends: list[int] | None = None):
        s = s if s is not None else shadow(text)
        super().__init__(text, s, marks, ends)
        self.w = w if w is not None else words_only(s)
        pairs = self.pairs
        self.open_at = {o: c for o, c in pairs}  # quote open index -> close index
        self.quote_like = {o for o, c in pairs if self._is_quotation(o, c)}
        self.entities = sorted(entities)
        self.ent_starts = [e[0] for e in self.entities]

    def triggers(self, words: frozenset[str] | None = None) -> list[Tok]:
        """Every reporting verb or participle outside quotations, in order."""
        w = self.w
        found = []
        plain = set(words) if words is not None else set(w.split()) & TRIGGER_WORDS
        if (plain or words is None) and "\u0640" in w:  # a trigger with diacritics (its bare form is in words)
            plain.update(x for x in diacritised_words(w) if x.replace("\u0640", "") in TRIGGER_WORDS)
        for word in plain:
            key = word.replace("\u0640", "") if "\u0640" in word else word
            i, n = w.find(word), len(word)
            while i >= 0:
                if (i == 0 or w[i - 1].isspace()) and (i + n == len(w) or w[i + n].isspace()) and not self._in_quote(i):
                    found.append((i, i + n, key))
                i = w.find(word, i + n)
        found.sort()
        return found

    def _is_quotation(self, o: int, c: int) -> bool:
        inner = self.text[o + 1:c]
        words = [w for w in inner.split(None, 4)[:4] if w.isalpha() or any(ch.isalpha() for ch in w)]
        if len(words) >= 3 or (len(words) == 2 and len(inner.split(None, 3)) >= 3):
            before = self.s[max(0, o - 30):o].split()
            prev = bare(before[-1]) if before else ""
            prev = prev[1:] if prev[:1] in ("ل", "ب") and prev[1:] in NAMING else prev
            return prev not in NAMING
        return False

    def after_comma(self, pos: int) -> bool:
        i = pos - 1
        while i >= 0 and self.s[i] == " ":
            i -= 1
        return i >= 0 and self.s[i] in "،,"

    def entity_in(self, start: int, end: int) -> int | None:
        best = None
        rank = {"PER": 0, "ORG": 1, "LOC": 2, "MISC": 3}
        k = bisect_left(self.ent_starts, start)
        while k < len(self.entities) and self.entities[k][0] < end:
            s, e, idx, typ = self.entities[k]
            if e <= end and (best is None or rank.get(typ, 4) <= rank.get(best[1], 4)):
                best = (idx, typ)
            k += 1
        return best[0] if best else None

    def named_before(self, spk: Speaker) -> Speaker | None:
        """``الرئيس اليمني عبدربه منصور هادي ... وأكد الرئيس اليمني أن``: a role the article wrote
        earlier right before a person's name stands for that person (the earlier role and name).
        Only a definite phrase is a role (``الرئيس``, ``وزير الخارجية``; not ``تعالى``)."""
        s, key = self.s, self.s[spk.start:spk.end]
        if not any(x.startswith("ال") for x in key.split()):
            return None
        i, tries = s.rfind(key, 0, spk.start), 0
        while i >= 0 and tries < 8:
            j = i + len(key)
            while j < len(s) and s[j] in " ،,":
                j += 1
            k = bisect_left(self.ent_starts, j)
            while k < len(self.entities) and self.entities[k][0] == j:
                if self.entities[k][3] == "PER":
                    return Speaker(self.text[i:self.entities[k][1]], i, self.entities[k][1], self.entities[k][2])
                k += 1
            i, tries = s.rfind(key, 0, i), tries + 1
        return None

    def person_before(self, pos: int) -> Speaker | None:
        """A person named right before ``pos`` (only spaces between): the subject of a verb
        written after it."""
        e = pos
        while e > 0 and self.s[e - 1] == " ":
            e -= 1
        k = bisect_left(self.ent_starts, e) - 1
        while k >= 0 and e - self.entities[k][0] <= 80:
            start, end, idx, typ = self.entities[k]
            if end == e and typ == "PER":
                return Speaker(self.text[start:end], start, end, idx)
            k -= 1
        return None

    def entity_at(self, start: int) -> int | None:
        """End offset of an entity mention starting at ``start``, if any."""
        k = bisect_left(self.ent_starts, start)
        return self.entities[k][1] if k < len(self.entities) and self.entities[k][0] == start else None

    def has_type(self, start: int, end: int, typ: str) -> bool:
        k = bisect_left(self.ent_starts, start)
        while k < len(self.entities) and self.entities[k][0] < end:
            if self.entities[k][3] == typ and self.entities[k][1] <= end:
                return True
            k += 1
        return False

    def extend_to_name(self, toks: list[Tok], a: int, b: int, limit: int) -> int:
        """``مدير التنسيق في سوق عكاظ فهد الحارثي``, ``رئيس النادي، المنسق العام الدكتور X``: a role
        phrase cut short by a preposition or comma reaches the person named before the statement."""
        if self.has_type(toks[a][0], toks[b - 1][1], "PER") or b >= limit:
            return b
        k = bisect_left(self.ent_starts, toks[b][0])
        end = toks[limit][0] if limit < len(toks) else len(self.text)
        best = b
        while k < len(self.entities) and self.entities[k][0] < end:
            s, e, _, typ = self.entities[k]
            if typ == "PER" and e <= end:
                best = bisect_left([t[0] for t in toks], e)
            k += 1
        return best if best - a <= MAX_SPEAKER else b

    def speaker(self, toks: list[Tok], a: int, b: int) -> Speaker | None:
        """The phrase of tokens [a, b) as a speaker (trimmed of punctuation)."""
        while a < b and not toks[a][2][:1].isalnum() and toks[a][0] not in self.open_at:
            a += 1
        while b > a and not toks[b - 1][2][:1].isalnum() and toks[b - 1][2] not in ('"', "»", "”", "“"):
            b -= 1
        if a >= b or b - a > MAX_SPEAKER:
            return None
        start, end = toks[a][0], toks[b - 1][1]
        return Speaker(self.text[start:end], start, end, self.entity_in(start, end))

    def narrative_subject(self, trig: Tok) -> tuple[Speaker, str | None, int] | None:
        """``وتبنت الحركة الكردية الهجوم. وقالت: إن ...``, ``وكانت قوات الدفاع دانت ... معتبرة أنه``:
        a trigger without its own phrase, in (or right after) a sentence the narrator opened with
        a verb and its subject, was said by that subject. Returns (phrase, verb gender, sentence start)."""
        s0 = self.sentence_start(trig[0])
        if LETTER.search(self.s, s0, trig[0]) is None:  # the trigger opens its sentence: the previous one
            if s0 < 2 or "\n" in self.text[max(0, s0 - 2):s0]:
                return None
            s0 = self.sentence_start(s0 - 1)
            stop = self.sentence_end(s0)
        else:
            stop = trig[0]
        st = TokenStream(self.s, s0, stop)
        a = 0
        while (t := st.get(a)) is not None and (t[2] in ADVERBIAL or not t[2][:1].isalnum()):
            a += 1
        first = st.get(a)
        if first is None or lookup(first[2]) is not None or first[2] in STOP or not first[2][:1].isalpha():
            return None
        gender = F if (first[2].endswith("ت") or first[2][:1] == "ت" or first[2][:2] in ("وت", "فت")) else M
        b = a + 1  # the subject follows the verb (or the auxiliary ``وكانت``)
        while (t := st.get(b)) is not None and b - a <= MAX_SPEAKER:
            w = t[2]
            prev = st.toks[b - 1][2]
            if (w in STOP or not w[:1].isalnum() or lookup(w) is not None or is_comp(w, prev)
                    or t[0] in self.open_at):
                break
            b += 1
        if b == a + 1 or b - a > MAX_SPEAKER:
            return None
        e = self.entity_at(st.toks[a + 1][0])  # a subject that starts with an entity is that entity's phrase
        if e is not None:
            b = min(b, bisect_left([x[0] for x in st.toks], e))
        spk = self.speaker(st.toks, a + 1, b)
        return (spk, gender, s0) if spk is not None else None


def _span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in "،,:؛;-–"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in "،,:؛;.-–"):
        end -= 1
    return start, end


def find_quotes(text: str, entities: list[EntitySpan] | None = None, s: str | None = None,
                w: str | None = None, words: frozenset[str] | None = None,
                marks: list[int] | None = None, ends: list[int] | None = None) -> list[Quote]:
    """Every direct quotation and reported statement in ``text`` with its speaker (see module doc).
    ``s``, ``w``, ``words``, ``marks``, ``ends``: the text's shadow, words-only shadow, word set (at
    least its trigger words) and the positions of its quote marks and sentence ends, when the caller
    has them already."""
    if not text:
        return []
    if s is None:
        s = shadow(text)
    if w is None:
        w = words_only(s)
    present = (words if words is not None else word_set(w)) & TRIGGER_WORDS  # set & set: over the smaller
    if not present and not (marks if marks is not None else QUOTE_MARK.search(text)):
        return []  # nothing to read: most articles without a reporting verb stop here
    r = _Reader(text, entities or [], s, w, marks, ends)
    trigs = r.triggers(present)
    # a trigger opens a new clause (and ends the statement before it) after a comma, with و/ف, or as a participle
    kinds = [lookup(t[2]) for t in trigs]  # (kind, gender) of each
    clause_pos = [t[0] for t, kg in zip(trigs, kinds) if kg[0] == "part" or t[2][:1] in "وف" or r.after_comma(t[0])]
    stmts: list[_Stmt] = []
    claimed: set[int] = set()  # quote opens used by a statement
    for trig, (kind, gender) in zip(trigs, kinds):
        stmt = _read_statement(r, trig, kind, gender, clause_pos, claimed)
        if stmt is not None:
            stmts.append(stmt)
    # quotations that open a sentence: the last speaker goes on
    for o, c in r.pairs:
        if o in claimed or o not in r.quote_like:
            continue
        if NOT_LEAD.search(r.s, r.sentence_start(o), o) is None:  # only spaces or commas before it
            s_, e_ = _span(text, o + 1, c)
            if s_ < e_:
                stmts.append(_Stmt(s_, e_, True, None, None, None, None, o))
    stmts.sort(key=lambda x: (x.start, -x.end))
    kept: list[_Stmt] = []
    for st in stmts:
        if kept and st.start < kept[-1].end:
            continue
        kept.append(st)
    _resolve(kept, r)
    return [Quote(text[s.start:s.end], s.start, s.end, s.direct, s.verb, s.speaker, s.via) for s in kept]


def _read_statement(r: _Reader, trig: Tok, kind: str, gender: str | None, clause_pos: list[int],
                    claimed: set[int]) -> _Stmt | None:
    """From one trigger, read on for its speaker's phrase and its statement."""
    text = r.text
    head = trig[2][1:] if trig[2][:1] in "وف" and trig[2] not in VERBS else trig[2]
    if head in IMPERSONAL:
        return None  # ``يذكر أن``: the newspaper's own background, nobody's statement
    sent_end = r.sentence_end(trig[0])
    nc = bisect_left(clause_pos, trig[1])
    next_trig = clause_pos[nc] if nc < len(clause_pos) else len(text)
    limit = min(sent_end, next_trig)
    if (not (kind == "part" and head.startswith(SPEECH_PARTICIPLES))
            and not r.has_cue(trig[1], min(limit, trig[1] + MAX_SCAN_CHARS))):
        return None  # ``أكد دعم بلاده``: no clause, colon or quotation follows
    st = TokenStream(r.s, trig[1], limit, first=trig)
    relay = head in RELAY
    np_end = None if kind == "verb" else 1  # participles take no subject phrase
    via_span: tuple[int, int] | None = None
    np_start_relay = 1
    found = None  # ("comp", token index) | ("colon", token index) | ("quote", open index)
    j = 1
    if kind == "part" and head.startswith(SPEECH_PARTICIPLES) and _starts_content(st, 1):
        found = ("colon", 0)  # ``مضيفا سهلت البوابة ...``: the words follow the participle directly
    while found is None and j <= MAX_SCAN and (tok := st.get(j)) is not None:
        pos, _, w = tok
        if pos in r.open_at:
            if pos in r.quote_like:
                if np_end is None:
                    np_end = j
                found = ("quote", pos)
                break
            close = r.open_at[pos]  # a quoted name: part of the phrase, read on after it
            while (tok := st.get(j)) is not None and tok[0] <= close:
                j += 1
            continue
        if relay and w == "عن" and via_span is None:
            via_span, np_start_relay, np_end = (1, j), j + 1, None
            j += 1
            continue
        if w == RELAY_ADVERB and (nxt := st.get(j + 1)) is not None and nxt[2] == "عن":
            if np_end is None:
                np_end = j
            via_span, np_start_relay, np_end, relay = (1, np_end), j + 2, None, True
            j += 2
            continue
        if is_comp(w, st.toks[j - 1][2]):
            if np_end is None:
                np_end = j
            found = ("comp", j)
            break
        if w == ":":
            if np_end is None:
                np_end = j
            found = ("colon", j)
            break
        if np_end is None and (w in STOP or (w[:1] == "ل" and w[1:] in NAMING) or lookup(w)
                               or (not w[:1].isalnum() and w != "-")):
            np_end = j
        if w in CLAUSE_BREAK:
            break
        j += 1
    if found is None:
        return None
    toks = st.toks
    if found[0] == "quote":
        o = found[1]
        start, end, direct = o + 1, r.open_at[o], True
        claimed.add(o)
    else:
        jj = found[1]
        cstart = toks[jj][1]
        nxt_i = jj + 1
        nt = st.get(nxt_i)
        if found[0] == "colon" and nt is not None and is_comp(nt[2], toks[jj][2]):
            cstart = nt[1]
            nxt_i += 1
            nt = st.get(nxt_i)
        if nt is not None and nt[0] in r.open_at and _rest_is_punct(r, r.open_at[nt[0]] + 1, limit):
            o = nt[0]
            start, end, direct = o + 1, r.open_at[o], True
            claimed.add(o)
        else:
            brk = NARRATOR_RESUMES.search(r.s, cstart, sent_end)
            end = min(limit, brk.start() if brk else sent_end)
            start, direct = cstart, False
    start, end = _span(text, start, end)
    if start >= end:
        return None
    np_start = np_start_relay if relay and via_span else 1
    if np_end is not None and np_end > np_start:
        np_end = r.extend_to_name(toks, np_start, np_end, j)
    spk = r.speaker(toks, np_start, np_end) if np_end is not None and np_end > np_start else None
    if spk is None and kind == "verb" and head == trig[2]:
        spk = r.person_before(trig[0])  # ``... أحمد داود أوغلو أعلن أن``: the subject came first
    via = r.speaker(toks, *via_span) if via_span else None
    stmt = _Stmt(start, end, direct, text[trig[0]:trig[1]], spk, via, gender, trig[0])
    if spk is None:
        stmt.subject = r.narrative_subject(trig)
    return stmt


def _starts_content(st: TokenStream, j: int) -> bool:
    tok = st.get(j)
    if tok is None:
        return False
    w = tok[2]
    return (w[:1].isalpha() and w not in STOP and not is_comp(w, st.toks[j - 1][2]) and lookup(w) is None
            and w not in ("الي", "علي"))


def _rest_is_punct(r: _Reader, pos: int, end: int) -> bool:
    return r.text[pos:end].strip(" \t،,.:;؛!؟?\"»”“") == ""


def _resolve(stmts: list[_Stmt], r: _Reader) -> None:
    """Continuations (no phrase) and bare roles (``الوزير``) take an earlier speaker's identity."""
    history: list[_Stmt] = []
    for st in sorted(stmts, key=lambda x: x.pos):
        if st.speaker is None and st.subject is not None:
            spk, gender, s0 = st.subject
            same_sentence = [h for h in history if h.pos >= s0 and h.speaker is not None]
            if not same_sentence and (st.gender is None or st.gender == gender or st.gender == PL):
                st.speaker = spk
        if st.speaker is None:
            for prev in reversed(history[-8:]):
                if prev.speaker is not None and (st.gender is None or prev.gender is None or prev.gender == st.gender):
                    st.speaker = prev.speaker
                    if st.gender is None:
                        st.gender = prev.gender
                    break
        elif st.speaker.entity is None and len(st.speaker.text.split()) <= 3:
            head = bare(shadow(st.speaker.text.split()[0])).removeprefix("ال")
            for prev in reversed(history[-8:]):
                if prev.speaker is not None and prev.speaker is not st.speaker and prev.speaker.entity is not None:
                    first = bare(shadow(prev.speaker.text.split()[0])).removeprefix("ال")
                    if first == head and (st.gender is None or prev.gender in (None, st.gender)):
                        st.speaker = prev.speaker
                        break
            if st.speaker.entity is None:
                st.speaker = r.named_before(st.speaker) or st.speaker
        history.append(st)
