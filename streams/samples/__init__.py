"""Articles the package ships: the bundled samples, and synthetic Arabic articles made from them.

The research corpora (``NEWS_SHARED_DATA``) may not be licensed for redistribution, so a clone
without them still needs articles to push through the pipeline: the demo, the end-to-end test
and the fault tests take :func:`raw_articles`, which is the shared corpus when it is there and
otherwise :func:`synthetic_articles`. Those are deterministic (article ``i`` depends only on
``i`` and the seed, never on how many are asked for), unique by id, and built only from the
project's own sample text: sentences of the Arabic samples recombined into 1-5 paragraphs, with
the furniture the cleaner must handle (datelines, "read also" teasers, sign-offs, captions,
HTML pages around the text) mixed in at fixed rates.
"""

from __future__ import annotations

import itertools
import random
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson

HERE = Path(__file__).resolve().parent
SAMPLE_ARTICLES = HERE / "sample-articles.jsonl"
POISON = HERE / "poison.jsonl"
CORPUS_NAME = "ar-saudinewsnet-6k.jsonl"

# Furniture written for this project (place names, agency names: common nouns of the trade).
_PLACES = ("الرياض", "جدة", "بغداد", "القاهرة", "عمّان", "بيروت", "دبي", "الرباط", "تونس", "الدوحة")
_AGENCIES = ("واس", "رويترز", "الأناضول", "أ ف ب")
_SIGNOFFS = ("// انتهى //", "انتهى")
_TEASERS = ("اقرأ أيضا: {title}", "اقرأ أيضاً: {title}")
_CAPTION = "\x1a\x1aصورة من الأرشيف - {agency}\x1a\x1a"
_SENTENCE_END = re.compile(r"(?<=[.!؟?])\s+|\n+")
_FURNITURE = re.compile(r"اقرأ|انتهى|//")
_TAG = re.compile(r"<[^<>]{0,200}>")
_DATELINE = re.compile(r"^[^\s:]{1,20} - [^:\n]{1,20}:\s*")


def bundled_articles() -> list[dict]:
    """The sample articles shipped in ``streams/samples/`` (Arabic, English, French)."""
    return [orjson.loads(line) for line in SAMPLE_ARTICLES.read_bytes().splitlines() if line.strip()]


def _pool() -> tuple[list[str], list[str]]:
    arabic = [a for a in bundled_articles() if a["id"].startswith("sample-ar")]
    sentences = []
    for article in arabic:
        for s in _SENTENCE_END.split(_TAG.sub("\n", article["body"])):
            s = _DATELINE.sub("", s.strip())  # furniture is added on its own below, at known rates
            if len(s.split()) >= 3 and not _FURNITURE.search(s):
                sentences.append(s)
    return sentences, [a["title"] for a in arabic]


def synthetic_article(i: int, seed: int = 0) -> dict:
    """Synthetic Arabic article number ``i`` (deterministic, id ``syn-<seed>-<i>``)."""
    sentences, titles = _pool()
    rng = random.Random(seed * 1_000_003 + i)
    paragraphs = [" ".join(rng.choice(sentences) for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(1, 5))]
    if rng.random() < 0.3:
        paragraphs[0] = f"{rng.choice(_PLACES)} - {rng.choice(_AGENCIES)}: {paragraphs[0]}"
    if rng.random() < 0.2:
        paragraphs.insert(rng.randint(1, len(paragraphs)), rng.choice(_TEASERS).format(title=rng.choice(titles)))
    if rng.random() < 0.2:
        paragraphs.append(rng.choice(_SIGNOFFS))
    if rng.random() < 0.1:
        paragraphs.insert(0, _CAPTION.format(agency=rng.choice(_AGENCIES)))
    title = f"{rng.choice(titles)} ({i})"
    if rng.random() < 0.1:
        body = ("<!doctype html><html><head><title>" + title + "</title></head><body><nav><a href='/'>الرئيسية</a>"
                "</nav><article>" + "".join(f"<p>{p}</p>" for p in paragraphs if "\x1a" not in p)
                + "</article><footer>جميع الحقوق محفوظة</footer></body></html>")
    else:
        body = "\n\n".join(paragraphs)
    published = datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(minutes=7 * i)
    return {"id": f"syn-{seed}-{i:06d}", "source": "synthetic", "section": None, "title": title, "body": body,
            "language": "ar", "published_at": published.isoformat().replace("+00:00", "Z")}


def synthetic_articles(count: int, seed: int = 0) -> list[dict]:
    return [synthetic_article(i, seed) for i in range(count)]


def raw_articles(count: int, shared: Path | None = None, seed: int = 0) -> tuple[str, list[bytes]]:
    """``count`` raw records as JSON lines, unique by id: the first of the shared Arabic corpus
    when it is present (``shared`` = its folder), else synthetic ones; and where they came from."""
    corpus = shared / CORPUS_NAME if shared is not None else None
    if corpus is not None and corpus.exists():
        lines, seen = [], set()
        with corpus.open("rb") as fh:
            for line in itertools.islice(fh, count * 2):
                key = orjson.loads(line)["id"] if line.strip() else None
                if key is None or key in seen:
                    continue
                seen.add(key)
                lines.append(line.rstrip(b"\n"))
                if len(lines) == count:
                    return str(corpus), lines
        raise ValueError(f"{corpus} has only {len(lines)} distinct articles, {count} asked for")
    return f"{count} synthetic Arabic articles (streams.samples, seed {seed})", [
        orjson.dumps(a) for a in synthetic_articles(count, seed)]
