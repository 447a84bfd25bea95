"""Unicode hygiene: one line-break convention, plain spaces, no invisible characters.

Why it is built this way: every pass over a 2 KB article costs microseconds, so the work is
done by C-level string methods. ``str.splitlines`` gives one line-break convention for every
separator Unicode has (``\\r\\n``, ``\\r``, U+2028/2029, U+0085, VT, FF ...) and
``" ".join(line.split())`` turns NBSP, the U+2000 spaces, U+3000, tabs and runs of spaces into a
single ASCII space with no space at line edges. Invisible characters (zero-width, bidi controls,
soft hyphen, C0/C1 controls) and tatweel are deleted by one ``str.translate``, run only when a
precompiled regex finds one. Presentation forms are folded with NFKC *only inside their own
code-point blocks* (full NFKC would also rewrite e.g. superscripts, ``ﷺ`` aside), then the whole
text is NFC. ZWNJ/ZWJ are deleted too: harmless for Arabic, a small loss for Persian spelling,
accepted so no consumer ever sees an invisible character.

Every step is idempotent, so the whole function is: ``paragraphs(join(paragraphs(x)))`` equals
``paragraphs(x)``. A paragraph is a non-empty line.
"""

from __future__ import annotations

import re
import unicodedata

import regex

from .arabic import TATWEEL, distinct_chars

#: Deleted from the display text.
INVISIBLE = (
    "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u034f"  # zero-width, word joiner, BOM, soft hyphen
    "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"  # bidi controls
    "\u2061\u2062\u2063\u2064\ufe73"  # invisible math operators, Arabic tail fragment
)
_CONTROLS = "".join(chr(c) for c in range(0x00, 0x20) if chr(c) not in "\t\n\r\x0b\x0c\x1c\x1d\x1e\x1f")
_CONTROLS += "\x7f" + "".join(chr(c) for c in range(0x80, 0xA0) if c != 0x85)

_DELETE = frozenset(INVISIBLE + _CONTROLS)
#: Noncharacters and lone surrogates (JSON can carry ``"\\ud800"``) cannot be encoded: dropped.
_UNENCODABLE = "\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
#: Arabic presentation forms A/B (incl. the lam-alef ligatures): NFKC maps them to base letters.
PRESENTATION_RE = re.compile("[\ufb50-\ufdcf\ufdf0-\ufdff\ufe70-\ufefe]+")
#: Whitespace ``str.split`` knows and ``str.splitlines`` does not break on: the only characters
#: besides ASCII space that can sit inside a line and make it need ``" ".join(line.split())``.
_ODD_SPACES = "\t\x1f\xa0\u1680\u2000-\u200a\u202f\u205f\u3000"
#: One scan finds every character that needs work; most articles have none or only tatweel.
#: It also finds the odd spaces, so :func:`paragraphs` knows when a line only needs trimming.
_SUSPECT_RE = re.compile(
    "[" + re.escape(INVISIBLE + _CONTROLS) + TATWEEL + "\ufb50-\ufdff\ufe70-\ufefe" + _UNENCODABLE + _ODD_SPACES + "]"
)
_ODD_SPACE_RE = re.compile("[" + _ODD_SPACES + "]")
_UNENCODABLE_RE = re.compile("[" + _UNENCODABLE + "]+")
_TATWEEL_RUN_RE = re.compile(TATWEEL + "+")
#: Letters and marks a tatweel can be attached to; a run touching none of them is a dash.
_JOINING_RE = re.compile("[\u0610-\u061a\u0620-\u063f\u0641-\u065f\u066e-\u06d3\u06d5-\u06ed\u06fa-\u06ff]")


def _fold_presentation(match: re.Match[str]) -> str:
    return unicodedata.normalize("NFKC", match.group())


def _tatweel_run(match: re.Match[str]) -> str:
    """``بـ"التضليل"`` -> ``ب"التضليل"``, but ``خالد سجاف ـ الدمام`` -> ``خالد سجاف - الدمام``."""
    text, start, end = match.string, match.start(), match.end()
    attached = (start > 0 and _JOINING_RE.match(text, start - 1)) or (end < len(text) and _JOINING_RE.match(text, end))
    return "" if attached else "-"


#: UAX #15 "Stream-Safe Text Format": at most 30 combining marks in a row. Longer runs are
#: never text, and NFC's canonical reordering of a run is quadratic in its length (a 40,000-mark
#: flood took 19 s), so the tail of a longer run is dropped before NFC.
MAX_MARK_RUN = 30
_MARK_FLOOD_RE = regex.compile(r"(\p{M}{%d})\p{M}+" % MAX_MARK_RUN)


def normalize_chars(text: str) -> str:
    """Character-level hygiene (no layout): deletions, presentation forms, mark floods, NFC."""
    return _normalize_chars(text)[0]


def _normalize_chars(text: str) -> tuple[str, tuple[str, ...]]:
    """:func:`normalize_chars`, and the odd spaces (``_ODD_SPACES``) the result may hold. They
    come from the same scan: NFKC of a presentation form yields only the ASCII space, and the
    one whitespace NFC makes is U+2000/U+2001 -> U+2002/U+2003 (canonical singletons), so each
    odd space is listed with its NFC image."""
    suspects = distinct_chars(_SUSPECT_RE, text)
    odd_spaces: tuple[str, ...] = ()
    if suspects:
        if TATWEEL in suspects:
            text = _TATWEEL_RUN_RE.sub(_tatweel_run, text)
        for c in suspects & _DELETE:
            text = text.replace(c, "")
        if any("\ufb50" <= c <= "\ufefe" for c in suspects):
            text = PRESENTATION_RE.sub(_fold_presentation, text)
            text = text.replace(TATWEEL, "")  # NFKC of U+FE71.. yields tatweel + mark
            text = text.replace("\ufe73", "")
        if any("\ud800" <= c <= "\udfff" or "\ufdd0" <= c <= "\ufdef" or c in "\ufffe\uffff" for c in suspects):
            text = _UNENCODABLE_RE.sub("", text)
        odd_spaces = tuple({unicodedata.normalize("NFC", c) for c in suspects if _ODD_SPACE_RE.match(c)}
                           | {c for c in suspects if _ODD_SPACE_RE.match(c)})
    if not unicodedata.is_normalized("NFC", text):
        text = _MARK_FLOOD_RE.sub(r"\1", text)
        text = _nfc_by_line(text)
    return text, odd_spaces


def _nfc_by_line(text: str) -> str:
    """``unicodedata.normalize("NFC", text)``, paying only for the lines that need it (16% of the
    6k corpus' bodies are not NFC, usually because of one mark pair in one line). Exact: ``\n``
    is a starter that composes with nothing, so canonical reordering and composition never
    cross it and NFC of the text is the NFC of its lines joined."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if not unicodedata.is_normalized("NFC", line):
            lines[i] = unicodedata.normalize("NFC", line)
    return "\n".join(lines)


def paragraphs(text: str, blank_lines: list[str] | None = None) -> list[str]:
    """Hygienic paragraphs of ``text``: one per non-empty line, spaces collapsed, edges trimmed.

    Lines that held only invisible/odd spaces (e.g. a lone NBSP) are appended to
    ``blank_lines`` as they stood, so the cleaner can report them.

    The common line (no double space, none of the odd spaces the hygiene scan saw in the
    text) skips ``line.split()``, which allocates one string per word: it only needs its edge
    spaces trimmed.
    """
    text, odd_spaces = _normalize_chars(text)
    out: list[str] = []
    for line in text.splitlines():
        if "  " in line or (odd_spaces and any(c in line for c in odd_spaces)):
            words = line.split()
            if words:
                out.append(" ".join(words))
            elif blank_lines is not None and line.strip(" \t"):
                blank_lines.append(line)
        else:
            if line[:1] == " " or line[-1:] == " ":
                line = line.strip(" ")
            if line:
                out.append(line)
    return out


def one_line(text: str | None) -> str | None:
    """Titles and other single-line fields: same hygiene, newlines become spaces (paragraphs
    have no edge or double spaces, so joining them with one space needs no second collapse)."""
    if text is None:
        return None
    return " ".join(paragraphs(text)) or None
