"""``news-streams trends`` on real enriched records: rows equal a direct count and match the schema."""

from __future__ import annotations

import orjson
from click.testing import CliRunner

from streams.cli import main
from tests.test_contracts import assert_valid

from .direct import direct_count, row_cells

H, D = 3_600_000, 86_400_000


def run_cli(tmp_path, records, *args):
    src = tmp_path / "enriched.jsonl"
    src.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    out = tmp_path / "trends.jsonl"
    result = CliRunner().invoke(main, ["trends", str(src), "-o", str(out), *args])
    return result, [orjson.loads(line) for line in out.read_bytes().splitlines()]


def test_cli_rows_equal_direct_count_and_validate(tmp_path, corpus_enriched):
    records = corpus_enriched + corpus_enriched[:30]  # 30 articles delivered twice
    result, rows = run_cli(tmp_path, records)
    assert result.exit_code == 0, result.output
    assert {r["window"] for r in rows} == {"1h", "1d"}
    assert row_cells(rows, "1h") == direct_count(records, H)
    assert row_cells(rows, "1d") == direct_count(records, D)
    assert len(rows) > 1_000
    for row in rows:
        assert_valid("trends", row)
    assert "duplicate" in result.output and "late 0" in result.output


def test_cli_one_window_and_sorted_by_score(tmp_path, corpus_enriched):
    result, rows = run_cli(tmp_path, corpus_enriched, "--window", "1d")
    assert result.exit_code == 0, result.output
    assert {r["window"] for r in rows} == {"1d"}
    for a, b in zip(rows, rows[1:]):
        assert (a["window_start"], -a["score"]) <= (b["window_start"], -b["score"])


def test_cli_reports_bad_lines_and_bad_records(tmp_path):
    src = tmp_path / "mixed.jsonl"
    good = {"id": "a", "published_at": "2015-07-27T10:00:00", "entities": [
        {"type": "PER", "text": "س", "id": None, "name": None, "count": 1, "mentions": [{}]}]}
    lines = [orjson.dumps(good), b"{not json", orjson.dumps([1]), orjson.dumps({"id": "b", "entities": []}),
             orjson.dumps({"id": "c", "published_at": "2999-01-01", "entities": good["entities"]})]
    src.write_bytes(b"\n".join(lines) + b"\n")
    result = CliRunner().invoke(main, ["trends", str(src)])
    assert result.exit_code == 1
    assert "mixed.jsonl:2: not valid JSON" in result.output
    assert "future 1" in result.output and "not_an_object 1" in result.output and "no_event_time 1" in result.output
    assert result.output.count('"articles":1') == 2
