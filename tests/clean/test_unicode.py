import pytest

from streams.clean import unicode as u


def test_invisibles_and_bidi_are_deleted():
    assert u.normalize_chars("ab\u200bc\u200fd\u202be\u2066f\ufeffg\u00adh\u061ci") == "abcdefghi"


def test_controls_deleted_but_line_breaks_kept_as_paragraphs():
    assert u.paragraphs("a\x00b\x1a\r\nc\rd\u2028e\u2029f\x85g") == ["ab", "c", "d", "e", "f", "g"]


def test_odd_spaces_collapse_and_edges_trimmed():
    assert u.paragraphs("\u00a0\u00a0 one\u2003\u202f two\t\tthree  \n\n\n   \n four ") == ["one two three", "four"]


def test_nbsp_only_line_reported():
    blank: list[str] = []
    assert u.paragraphs("a\n\u00a0\n \nb", blank) == ["a", "b"]
    assert blank == ["\u00a0"]  # a plain-space line is layout, not reported


def test_presentation_forms_fold_to_base_letters():
    # lam-alef with hamza below ligature, and isolated/final forms of beh + alef
    assert u.normalize_chars("\ufef9كمال \ufe8f\ufe8e") == "لإكمال با"


def test_tatweel_deleted_inside_words_and_free_tatweel_becomes_dash():
    assert u.normalize_chars("الســـلام بـ\"التضليل\"") == 'السلام ب"التضليل"'
    assert u.normalize_chars("خالد سجاف ـ الدمام") == "خالد سجاف - الدمام"


def test_nfc_reorders_and_composes():
    assert u.normalize_chars("e\u0301") == "\u00e9"
    # shadda + fatha in non-canonical order is reordered (ccc 33 after 30)
    assert u.normalize_chars("\u0628\u0651\u064e") == "\u0628\u064e\u0651"


def test_lone_surrogates_and_noncharacters_dropped():
    assert u.normalize_chars("a\ud800b\uffffc\ufdd0") == "abc"


def test_one_line_title():
    assert u.one_line("  عنوان\u00a0ـــ طويل\nجدا ") == "عنوان - طويل جدا"
    assert u.one_line("\u200b \u00a0") is None
    assert u.one_line(None) is None


def test_paragraphs_is_idempotent_on_messy_text():
    messy = "\ufeff \u00a0أعلنت\u0640\u0640 الحكومة\u200f\r\n\r\n\u00a0\n\tوقال ﻹكمال  \u2029x"
    once = u.paragraphs(messy)
    assert u.paragraphs("\n\n".join(once)) == once


def test_mark_floods_are_cut_to_the_stream_safe_limit():
    """UAX #15: at most 30 combining marks in a row survive (NFC reordering of a longer run is
    quadratic; the benchmark's growth table covers the time)."""
    import regex

    from streams.clean.unicode import MAX_MARK_RUN, normalize_chars

    out = normalize_chars("ب" + "\u064b\u0650\u0651" * 5000 + " خبر")
    longest = max(len(m) for m in regex.findall(r"\p{M}+", out))
    assert longest == MAX_MARK_RUN
    assert out.endswith(" خبر")


def test_odd_spaces_are_exactly_the_in_line_whitespace():
    """``paragraphs`` skips ``line.split()`` when no odd space was seen: the set must be every
    character ``str.split`` treats as whitespace that ``str.splitlines`` does not break on."""
    from streams.clean import unicode as u

    odd = {c for c in map(chr, range(0x110000)) if c.isspace() and c != " " and len(("a" + c + "b").splitlines()) == 1}
    assert odd == {c for c in map(chr, range(0x110000)) if u._ODD_SPACE_RE.match(c)}


@pytest.mark.parametrize("text", ["a  b\n  c ", " x \n\n y", "   \n a\u00a0 b", "\u00a0\n\tq\x1f", "ab\u3000 c  ", " "])
def test_paragraphs_fast_path_matches_split(text):
    from streams.clean import unicode as u

    expected = [" ".join(line.split()) for line in u.normalize_chars(text).splitlines() if line.split()]
    assert u.paragraphs(text) == expected


@pytest.mark.parametrize("text", ["a\u0651\u064e\nb\n\u0301x", "\n\u0627\u0653\n", "e\u0301\n\u0301\n\n", "ok\nq\u0651\u0650"])
def test_nfc_by_line_is_nfc(text):
    import unicodedata

    assert u._nfc_by_line(text) == unicodedata.normalize("NFC", text)
