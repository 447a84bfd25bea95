"""Start-up check: import and warm every stage dependency before the first record is read.

A worker or ``news-streams process`` that cannot extract HTML, detect languages or load the
entity model must not start and then degrade article by article (an install without
``lxml_html_clean`` once sent every page through tag stripping with a traceback each). Each
dependency is exercised on a small known input here; the first that fails stops start-up with
one line that names it and what to do, and the caller exits non-zero.
"""

from __future__ import annotations

import time
from typing import Callable

#: A page with furniture around an article: trafilatura must return the article and drop the rest.
CHECK_PAGE = """<!doctype html><html><head><title>Site | Home</title><script>var menu = 1;</script></head>
<body><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li></ul></nav>
<article><h1>Ministers meet in Baghdad</h1>
<p>The foreign ministers of Iraq and Jordan met in Baghdad on Monday to discuss trade, water and
the reopening of the border crossing between the two countries, officials said.</p>
<p>The talks covered electricity links and a pipeline project that both governments have
discussed for several years, according to a statement from the Iraqi foreign ministry.</p>
</article><footer>All rights reserved</footer></body></html>"""
CHECK_PHRASE = "reopening of the border crossing"

HINT = "reinstall news-streams with its dependencies (pip install --force-reinstall news-streams)"


class StartupError(RuntimeError):
    """A stage dependency is missing or broken; the message is one line for the operator."""


def _html_extractor() -> None:
    from .clean.html import trafilatura_extract

    doc = trafilatura_extract(CHECK_PAGE)
    text = getattr(doc, "text", None) or ""
    if CHECK_PHRASE not in text or "All rights reserved" in text or "var menu" in text:
        raise RuntimeError(f"extracted {text[:80]!r} from the check page, not its article")


def _language_detector() -> None:
    from .clean import language

    language.warm_up()
    lang, _ = language.detect("أعلنت الحكومة العراقية اليوم خطة جديدة لإصلاح قطاع الكهرباء في البلاد")
    if lang != "ar":
        raise RuntimeError(f"an Arabic sentence was detected as {lang!r}")


def _entity_model() -> None:
    from .entities.model import load_model
    from .pipeline import warm_up

    load_model()
    warm_up()


CHECKS: tuple[tuple[str, Callable[[], None]], ...] = (
    ("HTML extractor (trafilatura)", _html_extractor),
    ("language detector (lingua)", _language_detector),
    ("entity model", _entity_model),
)


def check_dependencies() -> dict[str, float]:
    """Run every check; seconds each took. Raises :class:`StartupError` at the first failure."""
    took: dict[str, float] = {}
    for name, check in CHECKS:
        started = time.perf_counter()
        try:
            check()
        except Exception as exc:  # noqa: BLE001 - whatever broke, the operator gets one line
            detail = " ".join(f"{type(exc).__name__}: {exc}".split())[:400]
            raise StartupError(f"cannot start: the {name} is not usable: {detail}; {HINT}") from exc
        took[name] = time.perf_counter() - started
    return took
