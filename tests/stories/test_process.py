"""``news-streams process`` writes the ``story`` object into every output record, in input order."""

from __future__ import annotations

import orjson
from click.testing import CliRunner

from streams.cli import main
from tests.test_contracts import assert_valid

BODY = ("أعلنت وزارة التجارة والصناعة بلوغ القيمة الإجمالية لمشاريع برنامج البيع على الخارطة التي تشرف عليها "
        "الوزارة 320 مليون ريال خلال الربع الثاني من العام الجاري. وقالت الوزارة إن عدد المشاريع المرخصة بلغ "
        "14 مشروعا في مدن الرياض وجدة والدمام، وإن البرنامج يهدف إلى حماية المشترين وتنظيم سوق العقار وتشجيع "
        "المطورين على الالتزام بالمواصفات والجداول الزمنية المعتمدة للمشاريع السكنية والتجارية في المملكة.")


def test_process_adds_story_and_near_copy(tmp_path) -> None:
    src = tmp_path / "in.jsonl"
    rows = [
        {"id": "first", "title": "320 مليونا مشروعات البيع على الخارطة", "body": BODY,
         "published_at": "2015-08-09T17:30:00Z", "source": "a"},
        {"id": "copy", "title": "مشروعات البيع على الخارطة خلال الربع الثاني", "body": "الرياض - واس: " + BODY,
         "published_at": "2015-08-10T09:00:00Z", "source": "b"},
        {"id": "other", "title": "أمطار رعدية على جازان", "published_at": "2015-08-10T10:00:00Z",
         "body": "توقعت الرئاسة العامة للأرصاد وحماية البيئة هطول أمطار رعدية على مرتفعات جازان وعسير والباحة "
                 "مع نشاط في الرياح السطحية المثيرة للأتربة والغبار على المناطق الشرقية والوسطى من المملكة."},
        {"id": "undated", "title": "بلا تاريخ", "body": BODY},
    ]
    src.write_bytes(b"\n".join(orjson.dumps(r) for r in rows) + b"\n")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["process", str(src), "-o", str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    records = {r["id"]: r for r in map(orjson.loads, out.read_bytes().splitlines())}
    assert records["first"]["story"]["id"] == "first" and records["first"]["story"]["is_new"]
    assert records["copy"]["story"]["id"] == "first"
    assert records["copy"]["story"]["duplicate_of"] == "first"
    assert records["copy"]["story"]["first_seen_at"] == "2015-08-09T17:30:00Z"
    assert records["other"]["story"]["id"] == "other"
    assert records["undated"]["story"] == {**records["undated"]["story"], "id": "undated", "reason": "no_published_at"}
    for record in records.values():
        assert_valid("enriched", record)
        assert_valid("stories", {"id": record["id"], "story": record["story"], "schema_version": "1"})


def test_process_without_stories_keeps_the_enriched_record(tmp_path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes(orjson.dumps({"id": "x", "body": BODY, "published_at": "2015-08-09T17:30:00Z"}) + b"\n")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["process", str(src), "-o", str(out), "--no-progress", "--no-stories"])
    assert result.exit_code == 0, result.output
    assert "story" not in orjson.loads(out.read_bytes())
