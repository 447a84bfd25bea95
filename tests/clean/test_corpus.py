"""All 6,000 shared Arabic articles: nothing the issue lists survives, and a removal report."""

from __future__ import annotations

import re
from collections import Counter

from streams.errors import Rejected

#: What must never be left in a cleaned text.
RESIDUE = {
    "tatweel": re.compile("\u0640"),
    "zero-width/bidi": re.compile("[\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff\u061c\u00ad]"),
    "nbsp/odd spaces": re.compile("[\u00a0\u2000-\u200a\u202f\u205f\u3000\t]"),
    # presentation forms that have a compatibility decomposition (ornate parentheses ﴾﴿ have none)
    "presentation forms": re.compile("[\ufb50-\ufd3d\ufd40-\ufdcf\ufdf0-\ufdfc\ufe70-\ufefe]"),
    "html tags": re.compile(r"</?(?:p|div|br|span|a|b|i|img|html|body|script|style)\b[^<>]*>", re.I),
    "html entities": re.compile(r"&(?:#\d+|#x[0-9a-f]+|[a-z]{2,8});", re.I),
    "agency sign-off": re.compile(r"/{1,2}\s*(?:انتهى|يتبع)\s*/{1,2}|\d{1,2}:\d{2}\s*ت\s*[مغ](?:\s|$)"),
    "read-also teaser": re.compile(r"(?:^|\n)\W*(?:[اأإ]قر[أا]\s+[أا]يض|شاهد\s+[أا]يض|طالع\s+[أا]يض)"),
    "share line": re.compile(r"رابط الخبر بصحيفة"),
    "sms contact": re.compile(r"مسافة ثم (?:نص )?الرسالة"),
    "tag list": re.compile(r"(?<!\S)سمات\s[^.!?؟\n]{0,200}$"),
    "Next/Previous": re.compile(r"^Next Previous", re.M),
    "space at line edge / runs": re.compile(r"^ | $|  |\n\n\n", re.M),
}


def test_corpus_is_clean(ar_cleaned):
    assert len(ar_cleaned) == 6000
    rejected = Counter(str(c.reason) for _, c in ar_cleaned if isinstance(c, Rejected))
    cleaned = [(row, c) for row, c in ar_cleaned if not isinstance(c, Rejected)]
    assert sum(rejected.values()) <= 3, rejected  # three alweeam bodies are only a share link
    assert set(rejected) <= {"nothing_left"}

    residue = {name: [] for name in RESIDUE}
    for row, c in cleaned:
        for name, rx in RESIDUE.items():
            m = rx.search(c.text)
            if m:
                residue[name].append((row["id"], c.text[max(0, m.start() - 40) : m.end() + 40]))

    raw_had = Counter()
    for row, _ in ar_cleaned:
        for name in ("tatweel", "zero-width/bidi", "nbsp/odd spaces", "presentation forms", "agency sign-off"):
            if RESIDUE[name].search(row["body"]):
                raw_had[name] += 1
    removed = Counter(r.reason for _, c in cleaned for r in c.removed)
    fields = Counter()
    for _, c in cleaned:
        fields["dateline"] += c.dateline is not None
        fields["byline"] += c.byline is not None
        fields["captions"] += bool(c.captions)
    languages = Counter(c.language for _, c in cleaned)

    print("\n== clean stage corpus report (ar-saudinewsnet-6k) ==")
    print(f"cleaned {len(cleaned)}, rejected {dict(rejected)}")
    print("raw articles carrying (count of articles):", dict(raw_had))
    print("removed spans by reason:", dict(removed.most_common()))
    print("articles with structured fields:", dict(fields))
    print("languages:", dict(languages))
    print("residue in cleaned text:", {k: len(v) for k, v in residue.items()})

    assert {k: v[:3] for k, v in residue.items() if v} == {}
    # the corpus is known to carry these; the report must show the cleaner found them
    assert raw_had["tatweel"] > 1000 and raw_had["nbsp/odd spaces"] > 1000 and raw_had["agency sign-off"] > 60
    assert removed["signoff"] >= 140 and removed["dateline"] >= 300 and removed["share"] >= 400
    assert languages["ar"] >= 5950


def test_corpus_no_body_text_lost(ar_cleaned):
    """Cleaning removes boilerplate, not articles: the median article keeps >= 97% of its words."""
    ratios = sorted(
        c.word_count / max(1, len(row["body"].split()))
        for row, c in ar_cleaned
        if not isinstance(c, Rejected)
    )
    assert ratios[len(ratios) // 2] >= 0.97
    assert ratios[len(ratios) // 20] >= 0.80  # 95% of articles keep >= 80%


def test_corpus_fields_are_consistent(ar_cleaned):
    for _, c in ar_cleaned:
        if isinstance(c, Rejected):
            continue
        assert [c.text[a:b] for a, b in c.paragraphs] == c.text.split("\n\n")
        assert c.char_count == len(c.text) and c.word_count > 0 and c.sentence_count > 0
        assert len(c.content_hash) == 64


def test_corpus_sample_is_idempotent(ar_cleaned):
    from streams.clean import clean_article

    from .conftest import NOW, raw

    for _, c in ar_cleaned[::10]:
        if isinstance(c, Rejected):
            continue
        again = clean_article(raw(c.text), now=NOW)
        assert again.text == c.text, c.id
