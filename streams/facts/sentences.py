"""Where an article's quotations and sentences are, for the statement reader (:mod:`.quotes`).

Sentence ends (``. ! ? ؟`` and line breaks) and quote marks are positions found once per article
(by the shadow pass, :func:`.shadow.shadow_and_words`, or here for a short text); every question
the reader asks (the end of this sentence, its start, is this inside a quotation, does a
statement cue follow) is then a binary search or a ``str.find``, not a regex scan of the text.
"""

from __future__ import annotations

from bisect import bisect_left

from .speech import QUOTE_MARK, SENTENCE_END, pair_quote_marks


def _not_letter(ch: str) -> bool:
    """Not a letter or digit in the sense of the patterns' ``[^\\W_\\u0640]`` (a diacritic is not)."""
    return not ch.isalnum() or ch == "\u0640"


class Layout:
    """Quotation pairs and sentence ends of ``text`` (``s``: its shadow, same offsets)."""

    def __init__(self, text: str, s: str, marks: list[int] | None = None, ends: list[int] | None = None):
        self.text = text
        self.s = s
        self.marks = marks if marks is not None else [m.start() for m in QUOTE_MARK.finditer(text)]
        self.ends = ends if ends is not None else [m.start() for m in SENTENCE_END.finditer(s)]
        self.pairs = pair_quote_marks(text, self.marks)
        self._end_memo = (-1, -1)
        self._start_memo = (0, -1)

    def _in_quote(self, pos: int) -> bool:
        k = bisect_left(self.pairs, (pos + 1,)) - 1
        return k >= 0 and self.pairs[k][0] < pos < self.pairs[k][1]

    def _between_digits(self, pos: int) -> bool:
        s = self.s
        return 0 < pos < len(s) - 1 and s[pos - 1].isdigit() and s[pos + 1].isdigit()

    def _pair_around(self, pos: int) -> tuple[int, int] | None:
        k = bisect_left(self.pairs, (pos + 1,)) - 1
        return self.pairs[k] if k >= 0 and self.pairs[k][0] < pos < self.pairs[k][1] else None

    def sentence_end(self, pos: int) -> int:
        """The first sentence end at or after ``pos`` outside quotations (found on demand: most of
        an article's sentences hold no trigger)."""
        lo, hi = self._end_memo  # triggers come in order: many share a sentence, searched once
        if lo <= pos <= hi:
            return hi
        ends = self.ends
        end = len(self.text)
        k = bisect_left(ends, pos)
        while k < len(ends):
            i = ends[k]
            pair = self._pair_around(i)
            if pair is not None:
                k = bisect_left(ends, pair[1] + 1, k)  # a whole quotation in one step
            elif self.s[i] == "." and self._between_digits(i):
                k += 1
            else:
                end = i
                break
        self._end_memo = (pos, end)
        return end

    def sentence_start(self, pos: int) -> int:
        """Just after the last sentence end before ``pos`` outside quotations."""
        lo, hi0 = self._start_memo
        if lo <= pos <= hi0:
            return lo
        ends = self.ends
        hi = pos
        start = 0
        floor = hi0 if 0 <= lo <= hi0 <= pos else 0  # [lo, hi0) is known to hold no sentence end
        while hi > 0:
            k = bisect_left(ends, hi) - 1  # the last sentence end in [floor, hi)
            i = ends[k] if k >= 0 and ends[k] >= floor else -1
            if i < 0:
                start = lo if floor else 0
                break
            pair = self._pair_around(i)
            if pair is not None:
                hi = pair[0]
                if hi < floor:
                    floor = 0
            elif self.s[i] == "." and self._between_digits(i):
                hi = i
            else:
                start = i + 1
                break
        self._start_memo = (start, pos)
        return start

    def has_cue(self, a: int, b: int) -> bool:
        """Whether a statement may follow in ``s[a:b]``: a colon, a quote mark, or ``أن/إن``
        (``بأن``) starting a word (what ``speech.STATEMENT_CUE`` finds, with ``str.find``)."""
        s = self.s
        if s.find(":", a, b) >= 0:
            return True
        k = bisect_left(self.marks, a)
        if k < len(self.marks) and self.marks[k] < b:
            return True
        q = s.find("ان", a, b)
        while q >= 0:
            if q == 0 or _not_letter(s[q - 1]):
                return True
            if s[q - 1] == "ب" and q - 1 >= a and (q == 1 or _not_letter(s[q - 2])):
                return True
            q = s.find("ان", q + 1, b)
        return False
