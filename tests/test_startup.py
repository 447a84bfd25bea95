"""Fail fast at start-up, and never leave markup when HTML extraction fails for one article."""

from __future__ import annotations

import os
import subprocess
import sys
from unittest import mock

from prometheus_client import generate_latest

from streams.clean import clean_article, html
from streams.preflight import CHECKS, check_dependencies
from streams.records import RawArticle

#: A news page as a broken install used to emit it: title, script, menus and footer around the article.
PAGE = """<!doctype html><html><head><title>CNN Arabic | الرئيسية</title>
<script>var nav = "<p>script text</p>";</script><style>p { color: red }</style></head>
<body><div class="top-menu"><ul><li><a href="/">الرئيسية</a></li><li><a>سياسة</a></li></ul></div>
<nav><a href="/economy">اقتصاد</a> <a href="/sport">رياضة</a></nav><header><h2>شبكة الأخبار</h2></header>
<main><article><h1>وزير الخارجية يزور بغداد</h1>
<p>قال وزير الخارجية الأمريكي مايك بومبيو إن بلاده تدعم العراق.</p>
<p>وأضاف أن الزيارة تهدف إلى تعزيز العلاقات &amp; التعاون بين البلدين.</p>
<div class="share-buttons">شارك على تويتر</div></article></main>
<aside>الأكثر قراءة</aside><footer>جميع الحقوق محفوظة</footer></body></html>"""


def test_every_stage_dependency_is_checked_and_ready():
    took = check_dependencies()
    assert list(took) == [name for name, _ in CHECKS]
    assert {"HTML extractor (trafilatura)", "language detector (lingua)", "entity model"} == set(took)


def _broken_trafilatura(tmp_path):
    """A trafilatura that cannot be imported, as when lxml_html_clean is missing."""
    pkg = tmp_path / "shadow" / "trafilatura"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text(
        'raise ImportError("lxml.html.clean module is now a separate project lxml_html_clean")\n')
    return {**os.environ, "PYTHONPATH": str(tmp_path / "shadow")}


def test_process_and_worker_refuse_to_start_without_the_html_extractor(tmp_path):
    env = _broken_trafilatura(tmp_path)
    feed = tmp_path / "in.jsonl"
    feed.write_text('{"id": "a", "body": "<p>x</p>"}\n')
    for args in (["process", str(feed)], ["worker"]):
        out = subprocess.run([sys.executable, "-m", "streams.cli", *args], env=env, cwd=tmp_path,
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 2, (args, out.stderr[-2000:])
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in out.stderr, out.stderr[-2000:]
        assert lines[0].startswith("Error: cannot start: the HTML extractor (trafilatura) is not usable: ImportError")
        assert "lxml_html_clean" in lines[0] and out.stdout == ""


def test_a_failing_extractor_falls_back_without_markup_title_script_or_navigation():
    from streams.service import metrics

    before = html.FALLBACKS["extractor_error"]
    with mock.patch.object(html, "trafilatura_extract", side_effect=RuntimeError("boom")):
        cleaned = clean_article(RawArticle(id="page", body=PAGE))
    text = cleaned.text
    assert "بومبيو" in text and "التعاون بين البلدين" in text and "& التعاون" in text
    assert "<" not in text and ">" not in text
    for furniture in ("CNN Arabic", "script text", "color", "سياسة", "اقتصاد", "شبكة الأخبار", "شارك على تويتر",
                      "الأكثر قراءة", "جميع الحقوق"):
        assert furniture not in text, furniture
    assert [r.text for r in cleaned.removed if r.reason == "extraction_fallback"] == [
        "trafilatura failed: RuntimeError: boom"]
    assert html.FALLBACKS["extractor_error"] == before + 1
    exposed = generate_latest(metrics.REGISTRY).decode()
    assert f'news_html_fallbacks_total{{cause="extractor_error"}} {before + 1:.1f}' in exposed


def test_the_fallback_reads_fragments_and_broken_pages_too():
    pages = {
        "<p>only <b>a</b> fragment": "only a fragment",
        "<title>t</title><p>body &lt;b&gt;x</p>": "body x",
        "<div>" * 500 + "deep": "deep",
        "<div>" * 20_000 + "deeper": "deeper",
        "<html><body><p>unclosed <script>x = 1": "unclosed",
    }
    with mock.patch.object(html, "trafilatura_extract", side_effect=RuntimeError("boom")):
        for page, want in pages.items():
            assert " ".join(html.extract(page).text.split()) == want, page
    # trafilatura finding nothing (a short fragment): the tags are stripped, the <title> dropped, and it is counted
    before = html.FALLBACKS["no_main_text"]
    with mock.patch.object(html, "trafilatura_extract", return_value=None):
        assert html.extract("<title>Only a title</title><p>and the body</p>").text.strip() == "and the body"
    assert html.FALLBACKS["no_main_text"] == before + 1
