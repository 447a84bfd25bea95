"""HTML in, article text out.

Extractor choice: **trafilatura** (Barbaresi, ACL 2021). It is maintained, pure Python on lxml,
needs no model or network, returns the main text with paragraph breaks and drops navigation,
comments, footers, weather/related boxes; its own benchmark puts it ahead of
readability/newspaper/jusText on precision *and* recall, and on the project's pages
(``../shared/data/html``: Arabic, English, French) it scores token F1 0.91-1.00 and respects
every must/must-not phrase (``tests/clean/test_html_quality.py``). A selectolax-based
extractor would be faster but would need our own boilerplate heuristics, which is exactly what
trafilatura's maintainers already tune. Its metadata pass also gives the title and the author.

Plain-text bodies do not go through trafilatura; they only get :func:`strip_markup` (entities
and stray inline tags), which is linear: every quantifier in these patterns is bounded.
"""

from __future__ import annotations

import html as _stdlib_html
import logging
import re
from collections import Counter
from dataclasses import dataclass

_BLOCK_TAGS = (
    "html|head|body|p|div|br|article|section|main|header|footer|nav|aside|h[1-6]|ul|ol|li|table|tr|td|th"
    "|blockquote|figure|figcaption|script|style|iframe|form|noscript|pre|hr|dl|dt|dd"
)
_INLINE_TAGS = "a|b|i|u|em|strong|span|font|img|small|big|sub|sup|abbr|cite|q|mark|time|meta|link|label|input|button|svg|path|picture|source|video|audio|wbr|center|ins|del|s|strike|tt|code"
#: A body "is HTML" when it has a document/block-level tag (or a doctype/comment).
_LOOKS_HTML_RE = re.compile(
    r"<(?:!doctype\b|!--|/?(?:" + _BLOCK_TAGS + r")(?=[\s/>]))", re.IGNORECASE
)
#: Any known tag, attributes bounded so an unclosed ``<a`` costs at most 2,000 steps.
_TAG_RE = re.compile(
    r"</?(?:" + _BLOCK_TAGS + "|" + _INLINE_TAGS + r")(?=[\s/>])(?:[^<>\"']|\"[^\"<>]{0,2000}\"|'[^'<>]{0,2000}'){0,2000}>"
    # a comment may not contain another "<!--": an unclosed one then fails at the next opener
    # instead of scanning 20,000 characters from every "<!--" of a flood (quadratic-like)
    r"|<!--(?:[^-<]|-(?!->)|<(?!!--)){0,20000}-->|<!doctype[^<>]{0,2000}>",
    re.IGNORECASE | re.DOTALL,
)
_BREAK_TAG_RE = re.compile(r"<(?:br|/p|/div|/h[1-6]|/li|/tr|/blockquote|hr)(?=[\s/>])[^<>]{0,2000}>", re.IGNORECASE)
#: Character references, with ``&amp;`` chains collapsed in the same match (``&amp;amp;lt;``).
_ENTITY_RE = re.compile(r"&(?:amp;)*(#[0-9]{1,7};?|#[xX][0-9a-fA-F]{1,6};?|[A-Za-z][A-Za-z0-9]{1,31};)")

log = logging.getLogger(__name__)


def looks_like_html(body: str) -> bool:
    return _LOOKS_HTML_RE.search(body) is not None


def _unescape(match: re.Match[str]) -> str:
    ref = "&" + match.group(1)
    out = _stdlib_html.unescape(ref)
    return match.group() if out == ref else out


def strip_markup(text: str) -> str:
    """Decode character references and drop stray tags, until nothing is left to do.

    Repeats (at most 4 times) because decoding can reveal a tag (``&lt;b&gt;``) and dropping a
    tag can join an entity back together; the fixed point is what makes cleaning idempotent.
    """
    for _ in range(4):
        before = text
        if "&" in text:
            text = _ENTITY_RE.sub(_unescape, text)
        if "<" in text:
            text = _TAG_RE.sub(" ", _BREAK_TAG_RE.sub("\n", text))
        if text == before:
            break
    return text


@dataclass(slots=True)
class Extracted:
    text: str
    title: str | None = None
    author: str | None = None
    #: Set when trafilatura failed and the fallback extractor gave the text: why (for ``removed``).
    fallback: str | None = None


#: Pages whose text did not come from trafilatura, by cause: ``extractor_error`` (it raised) or
#: ``no_main_text`` (it found none, as for short fragments). The worker exports it as
#: ``news_html_fallbacks_total``; a count kept here so the stage itself stays free of Prometheus.
FALLBACKS: Counter[str] = Counter()


#: A tag whose attributes run over 4 KB keeps only its name: libxml2 checks each attribute
#: against all earlier ones (quadratic: 150,000 attributes in one tag took 250 s), and no real
#: page needs that much markup in one tag for its text to be found.
_HUGE_TAG_RE = re.compile(r"<([A-Za-z][A-Za-z0-9-]{0,30})[^<>]{4096,}>")


def trafilatura_extract(page: str):
    """trafilatura's document for a page (None when it finds no main text); raises if it fails."""
    import trafilatura  # deferred: plain-text workers never pay for its import

    return trafilatura.bare_extraction(
        page,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        deduplicate=False,
    )


def extract(page: str) -> Extracted:
    """Main text of an HTML page/fragment. When trafilatura finds nothing (short fragments) the
    tags are stripped; when it fails (it must never take the worker down) the page's own
    structure is used without its head, scripts, navigation, header, footer and asides, and the
    result says so (:attr:`Extracted.fallback`)."""
    page = _HUGE_TAG_RE.sub(r"<\1>", page)
    try:
        doc = trafilatura_extract(page)
    except Exception as exc:  # noqa: BLE001 - any extractor failure degrades to the fallback
        why = f"trafilatura failed: {type(exc).__name__}: {exc}"[:300]
        log.warning("%s; text taken by the fallback extractor", why)
        log.debug("trafilatura traceback", exc_info=True)
        FALLBACKS["extractor_error"] += 1
        return Extracted(text=_fallback_document(page), fallback=why)
    text = getattr(doc, "text", None) if doc is not None else None
    if text and text.strip():
        return Extracted(text=text, title=getattr(doc, "title", None), author=getattr(doc, "author", None))
    FALLBACKS["no_main_text"] += 1
    return Extracted(text=_fallback_text(page))


_RAW_BLOCK_RE = re.compile(r"<(/?)(script|style|noscript|template|title)(?=[\s/>])[^<>]{0,2000}>", re.IGNORECASE)


def _drop_raw_blocks(page: str) -> str:
    """Remove script/style bodies in one linear scan (a lazy ``.*?`` regex would rescan the
    rest of a 5 MB page for every unclosed ``<script>``)."""
    parts: list[str] = []
    pos = 0
    inside: str | None = None
    for m in _RAW_BLOCK_RE.finditer(page):
        closing, name = m.group(1), m.group(2).lower()
        if inside is None and not closing:
            parts.append(page[pos : m.start()])
            inside = name
        elif inside == name and closing:
            inside = None
            pos = m.end()
    if inside is None:
        parts.append(page[pos:])
    return " ".join(parts)


def _fallback_text(page: str) -> str:
    if "<" in page:
        page = _drop_raw_blocks(page)
    return strip_markup(page)


#: Elements that are never article text, whatever the page.
_NOT_TEXT_XPATH = (
    "//head|//title|//script|//style|//noscript|//template|//nav|//header|//footer|//aside|//form|//iframe"
    "|//svg|//button|//select|//menu|//*[@role='navigation' or @role='banner' or @role='contentinfo'"
    " or @role='complementary' or @role='search' or @aria-hidden='true' or @hidden]"
)
#: class/id words of navigation and page furniture (as in trafilatura's and readability's lists).
_FURNITURE_RE = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|navigation|menu|breadcrumbs?|header|footer|sidebar|share|sharing|social|related"
    r"|comments?|cookies?|subscribe|newsletter|banner|advert|ads?|promo|masthead|topbar|toolbar|skip)(?:$|[\s_-])",
    re.IGNORECASE,
)
_BLOCKS = ("p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section",
           "article", "main", "figure", "figcaption", "pre", "table", "ul", "ol", "dd", "dt", "hr")


def _fallback_document(page: str) -> str:
    """Article text from the page's own structure, for when trafilatura fails: no markup, no
    ``<title>``/``<script>`` content, no navigation, header, footer or asides. Linear (one lxml
    parse and one walk); tag stripping if even lxml cannot read the page."""
    try:
        import lxml.html

        root = lxml.html.document_fromstring(page, parser=lxml.html.HTMLParser(huge_tree=True))
    except Exception:  # noqa: BLE001 - unreadable even for libxml2: strip what can be stripped
        return _fallback_text(page)
    for el in root.xpath(_NOT_TEXT_XPATH):
        el.drop_tree()
    for el in root.xpath("//*[@class or @id]"):
        if _FURNITURE_RE.search(f"{el.get('class', '')} {el.get('id', '')}"):
            el.drop_tree()
    mains = root.xpath("//article|//main|//*[@role='main']")
    node = max(mains, key=lambda e: len(e.text_content())) if mains else root
    for el in node.iter(*_BLOCKS):
        el.tail = "\n" + (el.tail or "")
    text = strip_markup(node.text_content())
    # libxml2 gives up below ~2,000 levels of nesting and returns nothing: strip the tags instead
    return text if text.strip() else _fallback_text(page)
