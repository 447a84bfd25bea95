"""Reading scraper files: JSON Lines, JSON, .txt; bad lines reported with their number."""

from __future__ import annotations

from pathlib import Path

import orjson

from streams.devkit.feed import parse_txt_article, read_inputs


def test_jsonl_passes_valid_lines_byte_for_byte_and_reports_bad_ones(tmp_path: Path):
    f = tmp_path / "a.jsonl"
    good = b'{"id":"a","body":"x",  "odd_spacing": true}'
    f.write_bytes(good + b"\n\nnot json\n" + b'{"id":"b","body":"y"}\n')
    recs = list(read_inputs([str(f)]))
    assert [r.line for r in recs] == [1, 3, 4]
    assert recs[0].payload == good and recs[0].key == b"a"
    assert recs[1].error and "not valid JSON" in recs[1].error
    assert recs[2].key == b"b"


def test_as_is_sends_every_line_unchanged(tmp_path: Path):
    f = tmp_path / "p.jsonl"
    f.write_bytes(b"not json\n\xff\xfe\n")
    recs = list(read_inputs([str(f)], as_is=True))
    assert [r.payload for r in recs] == [b"not json", b"\xff\xfe"]
    assert all(r.error is None for r in recs)


def test_json_object_and_array(tmp_path: Path):
    (tmp_path / "o.json").write_text('{"id": "o", "body": "x"}')
    (tmp_path / "a.json").write_text('[{"id": "a1", "body": "x"}, {"id": "a2", "body": "y"}]')
    recs = list(read_inputs([str(tmp_path / "o.json"), str(tmp_path / "a.json")]))
    assert [r.key for r in recs] == [b"o", b"a1", b"a2"]
    assert [r.line for r in recs] == [1, 1, 2]


def test_txt_article_layout(shared_data: Path):
    text = (shared_data / "samples" / "seed-article.txt").read_text()
    rec = parse_txt_article(text, "seed")
    assert rec["section"] == "سياسة دولية"
    assert rec["title"].startswith("أمريكا: لن نناقش وجود قواتنا مع العراق")
    assert rec["body"].startswith("بومبيو بحث مع نظيره الكندي")  # the caption leads the body
    assert rec["body"].rstrip().endswith("لمحاربة تنظيم الدولة.")
    [record] = list(read_inputs([str(shared_data / "samples" / "seed-article.txt")]))
    assert orjson.loads(record.payload)["title"] == rec["title"]
    assert record.key.startswith(b"seed-article-")
