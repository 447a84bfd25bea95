"""`news-streams process`: no record stops the batch; exit codes 0 / 1 / 2; unreadable input is one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

SAMPLES = Path(__file__).resolve().parents[1] / "streams" / "samples"


def _process(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "streams.cli", "process", *args], capture_output=True, cwd=cwd,
                          env={**os.environ, "NEWS_LOG_FORMAT": "text"}, timeout=300)


def _deep(levels: int) -> dict:
    value: object = "x"
    for _ in range(levels):
        value = {"a": value}
    return value  # type: ignore[return-value]


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """One run over a file whose second record has an unknown field nested 300 levels deep."""
    tmp = tmp_path_factory.mktemp("process")
    feed = tmp / "in.jsonl"
    feed.write_bytes(b"\n".join([
        orjson.dumps({"id": "first", "body": "زار الرئيس العراقي باريس يوم الاثنين."}),
        json.dumps({"id": "deep", "body": "نص عادي عن العراق.", "meta": _deep(300)}).encode(),
        b"not json",
        orjson.dumps({"id": "last", "body": "The minister visited Paris and London on Monday."}),
    ]) + b"\n")
    out = _process(str(feed), "-o", str(tmp / "out.jsonl"), "--dead-letter", str(tmp / "dead.jsonl"), cwd=tmp)
    enriched = [orjson.loads(l) for l in (tmp / "out.jsonl").read_bytes().splitlines()]
    dead = [orjson.loads(l) for l in (tmp / "dead.jsonl").read_bytes().splitlines()]
    return out, enriched, dead


def test_an_exception_on_one_record_is_its_dead_letter_and_the_batch_goes_on(batch):
    out, enriched, dead = batch
    assert [r["id"] for r in enriched] == ["first", "last"]  # the record after the failure is processed
    by_reason = {d["reason"]: d for d in dead}
    assert set(by_reason) == {"internal_error", "malformed_json"}
    internal = by_reason["internal_error"]
    assert internal["article_id"] == "deep" and internal["message"].startswith("TypeError:")
    assert internal["source"] == {"topic": None, "partition": None, "offset": None, "key": None,
                                  "file": internal["source"]["file"], "line": 2}
    assert orjson.loads(internal["payload"])["id"] == "deep"  # the input is kept, to replay after the fix
    assert b"Traceback" not in out.stderr


def test_internal_errors_make_exit_code_1(batch):
    out, _, _ = batch
    assert out.returncode == 1, out.stderr[-2000:]
    assert b"dead letters: 2 (" in out.stderr


def test_bad_input_alone_exits_0(tmp_path):
    out = _process(str(SAMPLES / "poison.jsonl"), "-o", str(tmp_path / "out.jsonl"), cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert b"dead-letter (" in out.stderr


@pytest.mark.parametrize("target, why", [("missing.jsonl", "no such file"), (".", "not a file")])
def test_an_unreadable_input_is_one_line_and_exit_2(tmp_path, target, why):
    out = _process(str(SAMPLES / "sample-articles.jsonl"), target, cwd=tmp_path)
    assert out.returncode == 2
    assert out.stderr.decode().strip() == f"Error: cannot read {target}: {why}"
    assert out.stdout == b""  # checked before anything is processed


def test_help_documents_the_exit_codes(tmp_path):
    out = subprocess.run([sys.executable, "-m", "streams.cli", "process", "--help"], capture_output=True, text=True,
                         cwd=tmp_path, timeout=60)
    assert out.returncode == 0
    assert "Exit codes:" in out.stdout and "internal_error" in out.stdout and "  2  usage" in out.stdout


def test_the_operator_page_extracts_to_the_expected_text():
    """The page .ci/operator-path feeds an installed wheel: article text only, as recorded."""
    from streams.pipeline import process_payload
    from streams.records import EnrichedArticle, SourcePosition

    data = Path(__file__).resolve().parent / "data"
    page = (data / "operator-page.html").read_text(encoding="utf-8")
    result = process_payload(orjson.dumps({"id": "page", "body": page}), SourcePosition(), max_bytes=2_000_000)
    assert isinstance(result, EnrichedArticle)
    assert result.text == (data / "operator-page.expected.txt").read_text(encoding="utf-8").rstrip("\n")
    assert result.byline == "سارة المنصوري" and not result.removed
