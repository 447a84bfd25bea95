"""A corpus of hostile raw records: hand-made shapes plus hypothesis-generated ones.

Every record is a distinct byte string (so its dead letter, which carries the payload, can be
matched to it). Hand-made: invalid UTF-8, 10 MB bodies, deeply nested JSON, nulls and wrong
types in every field, HTML bombs, floods of combining and bidi marks, bodies of only
punctuation, and friends. Generated: arbitrary JSON values, objects with the article's field
names and values of any type, and byte strings.
"""

from __future__ import annotations

import itertools
import json
import random

import orjson
from hypothesis import HealthCheck, given, settings, strategies as st

FIELDS = ("id", "body", "title", "source", "url", "section", "language", "published_at", "scraped_at")
MB = 1024 * 1024


def hand_made() -> list[tuple[str, bytes]]:
    """(label, payload) pairs; labels say what each one is."""
    out: list[tuple[str, bytes]] = []
    n = itertools.count()

    def obj(label: str, **fields) -> None:
        out.append((label, orjson.dumps({"id": f"hostile-{label}-{next(n)}", **fields})))

    # Encoding
    out.append(("invalid-utf8-lone-ff", b"\xff\xfe\xfd"))
    out.append(("invalid-utf8-in-body", b'{"id": "bad-utf8", "body": "\xd8\xa7\xc3\x28 ok"}'))
    out.append(("invalid-utf8-overlong", b'{"id": "overlong", "body": "\xc0\xaf"}'))
    out.append(("invalid-utf8-surrogate", b'{"id": "surrogate", "body": "\xed\xa0\x80"}'))
    out.append(("invalid-utf8-truncated", "{\"id\": \"trunc\", \"body\": \"عربي\"}".encode()[:-4]))
    out.append(("utf16", '{"id": "utf16", "body": "نص"}'.encode("utf-16")))
    out.append(("bom-utf8", b"\xef\xbb\xbf" + orjson.dumps({"id": "bom", "body": "نص عربي"})))
    out.append(("nul-bytes", b"\x00" * 64))
    out.append(("empty", b""))
    # Size: 10 MB bodies (over NEWS_MAX_RECORD_BYTES), ASCII, Arabic and binary
    out.append(("10mb-ascii-body", orjson.dumps({"id": "big-ascii", "body": "a" * (10 * MB)})))
    out.append(("10mb-arabic-body", orjson.dumps({"id": "big-arabic", "body": "ب" * (5 * MB)})))
    out.append(("10mb-binary", random.Random(5).randbytes(10 * MB)))
    out.append(("10mb-html", orjson.dumps({"id": "big-html", "body": "<p>نص</p>" * (10 * MB // 12)})))
    # Structure
    out.append(("nested-10000-arrays", b"[" * 10000 + b"]" * 10000))
    out.append(("nested-deep-objects", b'{"a":' * 5000 + b"1" + b"}" * 5000))
    out.append(("nested-body", orjson.dumps({"id": "nested-body", "body": _nest(200)})))
    out.append(("nested-extra", b'{"id": "nested-extra", "body": "\xd9\x86\xd8\xb5", "x": '
                + b"[" * 1000 + b"]" * 1000 + b"}"))
    out.append(("truncated-json", b'{"id": "t", "body": "abc'))
    out.append(("trailing-garbage", b'{"id": "tg", "body": "abc"} trailing'))
    out.append(("json-string", b'"just a string"'))
    out.append(("json-number", b"12345"))
    out.append(("json-null", b"null"))
    out.append(("json-array-of-articles", orjson.dumps([{"id": "in-array", "body": "نص"}])))
    out.append(("nan", b'{"id": "nan", "body": NaN}'))
    out.append(("huge-number", b'{"id": "hn", "body": 1' + b"0" * 5000 + b"}"))
    out.append(("duplicate-keys", b'{"id": "dk", "body": "x", "body": null}'))
    # Nulls and wrong types in every field
    for name in FIELDS:
        for label, value in (("null", None), ("int", 7), ("float", 1.5), ("bool", True), ("list", ["x"]),
                             ("object", {"k": "v"}), ("empty", "")):
            fields = {"id": f"types-{name}-{label}", "body": "نص عربي قصير عن الأخبار"}
            fields[name] = value
            out.append((f"field-{name}-{label}", orjson.dumps(fields)))
    # Content that yields nothing
    obj("only-punctuation", body="!!!...,,,؟؟؟،،،؛؛؛---***" * 200)
    obj("only-whitespace", body=" \n\t\u00a0\u2003" * 100)
    obj("only-tatweel", body="ـ" * 5000)
    obj("only-diacritics", body="\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652" * 2000)
    obj("only-combining", body="\u0301\u0302\u0303\u0308" * 50000)
    obj("bidi-flood", body="\u202e\u202d\u2066\u2067\u2068\u2069\u200f\u200e\u061c" * 40000)
    obj("bidi-around-text", body="\u202e" * 10000 + "نص عربي" + "\u202c" * 10000)
    obj("zalgo", body="ن" + "\u0651\u0652\u064b" * 100_000 + "ص")
    obj("zero-width-flood", body="\u200b\u200c\u200d\ufeff" * 50000)
    obj("control-chars", body="".join(chr(c) for c in range(32)) * 1000)
    obj("private-use", body="\ue000\uf8ff" * 20000)
    obj("emoji-only", body="😀🔥🇸🇦" * 20000)
    obj("lone-surrogate-escape", body="\\ud800")  # escaped text, valid JSON
    out.append(("lone-surrogate-json-escape", b'{"id": "lse", "body": "\\ud800\\udc00\\ud800"}'))
    obj("one-huge-word", body="ك" * 900_000)
    obj("one-long-line", body=("نص " * 300_000))
    obj("many-paragraphs", body="\n\n".join(["فقرة"] * 30_000))
    # HTML bombs. Attribute and empty-tag floods stay small: cleaning time grows faster than
    # linearly with attributes (40,000: 5 s; 150,000: 250 s on the dev box) and ~linearly but
    # slowly with tags (150,000 <br/>: 14 s); "<!--" floods and stacked marks are linear now.
    obj("html-nested-divs", body="<div>" * 100_000 + "نص" + "</div>" * 100_000)
    obj("html-unclosed-tags", body="<b><i><u>" * 100_000)
    obj("html-many-scripts", body="<script>var a=1;</script>" * 50_000)
    obj("html-only-tags", body="<br/>" * 20_000)
    obj("html-entity-flood", body="&amp;&lt;&#x202e;&#0;&#xD800;" * 50_000)
    obj("html-comment-bomb", body="<!--" * 200_000)
    obj("html-attribute-bomb", body="<p " + " ".join(f"a{i}='x'" for i in range(10_000)) + ">نص</p>")
    obj("html-billion-laughs", body='<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
        '<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]><html><body>&d;&d;&d;</body></html>')
    obj("html-table-bomb", body="<table>" + "<tr>" + "<td>خ</td>" * 50_000 + "</tr></table>")
    obj("html-style-only", body="<style>" + "a{color:red}" * 50_000 + "</style>")
    # Valid-looking but odd
    obj("very-long-id", body="نص", title="x")
    out.append(("id-1mb", orjson.dumps({"id": "i" * MB, "body": "نص عربي"})))
    obj("title-huge", body="نص", title="ع" * 500_000)
    obj("many-extra-fields", body="نص عربي", **{f"f{i}": i for i in range(20_000)})
    return out


def _nest(depth: int):
    value: object = "x"
    for _ in range(depth):
        value = {"v": value}
    return value


_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=40))
_json = st.recursive(_scalars, lambda c: st.one_of(st.lists(c, max_size=4),
                                                   st.dictionaries(st.text(max_size=8), c, max_size=4)),
                     max_leaves=12)
_field_value = st.one_of(_json, st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
_articles = st.fixed_dictionaries({}, optional={name: _field_value for name in FIELDS})


def generated(count: int) -> list[tuple[str, bytes]]:
    """Up to ``count`` generated payloads: arbitrary JSON, article-shaped objects with values of
    any type, and arbitrary bytes (hypothesis draws, derandomized: the same on every run)."""
    drawn: list[bytes] = []

    @settings(max_examples=count, database=None, derandomize=True, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def draw(data):
        kind = data.draw(st.integers(0, 2))
        if kind == 0:  # \u-escaped, so lone surrogates and big integers reach the decoder
            drawn.append(json.dumps(data.draw(_json)).encode())
        elif kind == 1:  # raw UTF-8 (a lone surrogate makes it invalid UTF-8)
            drawn.append(json.dumps(data.draw(_articles), ensure_ascii=False).encode("utf-8", "surrogatepass"))
        else:
            drawn.append(data.draw(st.binary(max_size=300)))

    draw()
    return [(f"generated-{i}", payload) for i, payload in enumerate(drawn)]


def corpus(generated_count: int = 1000) -> list[tuple[str, bytes]]:
    """Hand-made plus generated records, each payload distinct (first label wins)."""
    seen: set[bytes] = set()
    out = []
    for label, payload in hand_made() + generated(generated_count):
        if payload not in seen:
            seen.add(payload)
            out.append((label, payload))
    return out
