"""Equivalence check for the clean stage (not a test): every output, digested, so a speed-up can
be shown to change nothing.

    PYTHONPATH=. .venv/bin/python bench/clean_equivalence.py --write /tmp/clean-base.jsonl
    PYTHONPATH=. .venv/bin/python bench/clean_equivalence.py --check /tmp/clean-base.jsonl

Inputs: the 6k Arabic and 1k English corpora (body and title as they stand), the HTML pages,
and a deterministic "noisy" variant of every 5th Arabic/English article (diacritics, tatweel,
invisibles, NBSP, presentation forms, entities, stray tags, credits, sign-offs, read-also lines
inserted at random positions) so the rare branches of every rule are exercised too. Each line of
the output is ``{"key", "out"}`` where ``out`` is the full :class:`CleanedArticle` as a dict
(``now``/``ingested_at`` fixed) or ``{"rejected": reason, "detail": ...}``.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from streams.clean import clean_article  # noqa: E402
from streams.errors import Rejected  # noqa: E402
from streams.records import RawArticle  # noqa: E402
from streams.settings import shared_data_dir  # noqa: E402

NOW = "2026-01-01T00:00:00.000Z"
INGESTED = "2026-01-01T00:00:00.000Z"

NOISE = [
    "\u064e", "\u0650", "\u064b", "\u0651", "\u0652", "\u0640", "\u0640\u0640\u0640", " \u0640 ", "\u200b", "\u200f",
    "\u00a0", "\u00ad", "\ufefb", "\ufe8d", "\ufdf2", "&amp;", "&quot;", "&#1575;", "<b>", "</b>", "<br>", "\r\n",
    "\u2028", "\t", "  ", "\n \u00a0\n", "\u0660\u0661\u0669", "\u06cc", "\u06a9", " - جيتي\n", "\n// انتهى //\n",
    "\nاقرأ أيضا: خبر آخر\n", "\n(تصوير: محمد علي)\n", " 15:40 ت م\n", "\nشارك\n", "\u0301\u0301",
    "\nرابط الخبر بصحيفة الوئام: ", "\nللتواصل أرسل sms إلى 88\n", "\nسمات الرياض جدة\n", "e\u0301", "\x1a\x1a ",
    "\ud800", "\ufffe", "\x07", "...", " د. ", "؟ ", "» ", "\u2026",
]
HEADS = [
    "الرياض - واس\n", "بغداد - الأناضول: ", "محمد أبو شعر- سبق:\n", "لجين الأحمدي – عين اليوم\n",
    "دمشق، سوريا (CNN) -- ", "LONDON (Reuters) - ", "بقلم: خالد سجاف\n", "Next Previous ",
    "الباحة 25 شوال 1436هـ الموافق 10 أغسطس 2015م واس\n", "واس- عدن: ", "خالد سجاف - الدمام أعرب ",
]


def noisy(body: str, rng: random.Random) -> str:
    chars = list(body)
    for _ in range(rng.randint(1, 12)):
        chars.insert(rng.randint(0, len(chars)), rng.choice(NOISE))
    out = "".join(chars)
    if rng.random() < 0.5:
        out = rng.choice(HEADS) + out
    return out


def raw_from(row: dict, body: str | None = None) -> RawArticle:
    return RawArticle(
        id=row["id"], body=row["body"] if body is None else body, title=row.get("title"),
        source=row.get("source"), url=row.get("url"), section=row.get("category"),
        language=row.get("language"), published_at=row.get("published_at"),
    )


def inputs(data: Path):
    rng = random.Random(20261129)
    for file in ("ar-saudinewsnet-6k.jsonl", "en-bbc-1k.jsonl"):
        with (data / file).open(encoding="utf-8") as fh:
            for i, line in enumerate(fh):
                row = json.loads(line)
                yield f"{file}:{i}", raw_from(row)
                if i % 5 == 0:
                    yield f"{file}:{i}:noisy", raw_from(row, noisy(row["body"], rng))
    for p in sorted((data / "html").glob("*/*.source.html")):
        yield f"html:{p.parent.name}/{p.name}", RawArticle(id=p.name, body=p.read_text(encoding="utf-8", errors="replace"))
    unit = ("الرياض 25 شوال 1436هـ الموافق 10 أغسطس 2015م واس\nأعلنت الحكومـــة\u00a0اليوم عن خطةٍ جديدة\u200f "
            "لتنويع مصادر الاقتصاد الوطني، وقال الوزيرُ إنّ المرحلة المقبلة ستشهد ﻹطلاق مشاريع كبرى في 13 منطقة.\n"
            " \u00a0\nبومبيو في مؤتمر صحفي- جيتي\nاقرأ أيضا: تفاصيل أخرى\n")
    for n in (1, 7, 60):
        yield f"synthetic:{n}", RawArticle(id="s", body=unit * n)
    for k, body in enumerate(["", "   ", "\u200b\u200b", "...", "<p></p>", "&amp;", "- جيتي", "e" + "\u0301" * 100]):
        yield f"edge:{k}", RawArticle(id="e", body=body)


def run(data: Path):
    for key, raw in inputs(data):
        try:
            out = dataclasses.asdict(clean_article(raw, ingested_at=INGESTED, now=NOW))
        except Rejected as r:
            out = {"rejected": str(r.reason), "detail": str(r)}
        yield key, out


def main() -> None:
    ap = argparse.ArgumentParser()
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--write", type=Path)
    g.add_argument("--check", type=Path)
    args = ap.parse_args()
    digest = hashlib.sha256()
    n = 0
    if args.write:
        with args.write.open("w", encoding="utf-8") as fh:
            for key, out in run(shared_data_dir()):
                line = json.dumps({"key": key, "out": out}, ensure_ascii=False, sort_keys=True)
                digest.update(line.encode("utf-8", "surrogatepass"))
                fh.write(line.encode("utf-8", "surrogatepass").decode("utf-8", "replace") + "\n")
                n += 1
        print(f"wrote {n} outputs, sha256 {digest.hexdigest()}")
        return
    base = {}
    with args.check.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            base[row["key"]] = json.dumps(row["out"], ensure_ascii=False, sort_keys=True)
    diffs = 0
    for key, out in run(shared_data_dir()):
        line = json.dumps({"key": key, "out": out}, ensure_ascii=False, sort_keys=True)
        digest.update(line.encode("utf-8", "surrogatepass"))
        now = json.dumps(out, ensure_ascii=False, sort_keys=True).encode("utf-8", "surrogatepass").decode("utf-8", "replace")
        now = json.dumps(json.loads(now), ensure_ascii=False, sort_keys=True)
        n += 1
        if base.get(key) != now:
            diffs += 1
            if diffs <= 10:
                old = json.loads(base[key]) if key in base else None
                new = json.loads(now)
                fields = sorted(k for k in set(old or {}) | set(new) if (old or {}).get(k) != new.get(k))
                print(f"DIFF {key}: fields {fields}")
                for f in fields[:4]:
                    print(f"   old {f}: {str((old or {}).get(f))[:300]!r}")
                    print(f"   new {f}: {str(new.get(f))[:300]!r}")
    print(f"checked {n} outputs against {len(base)}: {diffs} differ; sha256 {digest.hexdigest()}")
    sys.exit(1 if diffs or n != len(base) else 0)


if __name__ == "__main__":
    main()
