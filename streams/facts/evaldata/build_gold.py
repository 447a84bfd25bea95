"""Fingerprint annotations into ``gold.jsonl`` and keep it in step with the cleaner (annotator's tool).

The gold holds no article text (the shared corpus may be used, not copied): a statement is stored
as its offsets in the cleaned text and a fingerprint (length, SHA-1, first and last two words), a
date by its short surface. Annotators write their worksheet outside the repository, as surfaces
read in the cleaned text, and this script turns it into gold lines (see GUIDE.md)::

    python -m streams.facts.evaldata.build_gold add WORKSHEET.json --split test >> streams/facts/evaldata/gold.jsonl
    python -m streams.facts.evaldata.build_gold show ID         # the gold spans of one article, read from the corpus
    python -m streams.facts.evaldata.build_gold refresh         # re-anchor the stored offsets after a cleaner change

``WORKSHEET.json``: ``{"<article id>": {"quotes": [[direct, verb, surface, speaker_key, via_key]],
"dates": [[surface, value, granularity, relative, field, occurrence]]}}`` (``via_key``, ``field``
(``text`` or ``dateline``) and ``occurrence`` optional). A quote is its surface's first occurrence
in the cleaned text; dates are taken in reading order (each after the previous one with the same
surface) unless ``occurrence`` says which. The articles are read from the shared data
(``--shared``, default ``NEWS_SHARED_DATA`` or ``../shared/data``) and cleaned by the pipeline.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..evaluate import GOLD, enriched, fingerprint, load_gold, resolve


def _find(text: str, surface: str, start_hint: int = 0) -> tuple[int, int]:
    pos = text.find(surface, start_hint)
    if pos < 0:
        raise SystemExit(f"not found in the cleaned text: {surface[:60]!r}")
    return pos, pos + len(surface)


def build(worksheet: dict[str, dict], records: dict[str, Any], split: str) -> list[dict]:
    """Gold lines for the ``worksheet`` articles, given their enriched ``records`` (by id)."""
    out = []
    for aid, ann in worksheet.items():
        rec = records.get(aid)
        if rec is None:
            raise SystemExit(f"article not found in the shared data: {aid}")
        text = rec.text
        dl = rec.dateline.text if rec.dateline is not None else ""
        gq = []
        for q in ann.get("quotes", []):
            direct, verb, surface, key = q[:4]
            s, e = _find(text, surface)
            gq.append({**fingerprint(text, s, e), "direct": direct, "verb": verb, "speaker_key": key,
                       "via_key": q[4] if len(q) > 4 else None})
        gd, cursor = [], {}
        for d in ann.get("dates", []):
            surface, value, gran, rel = d[:4]
            field = d[4] if len(d) > 4 and d[4] else "text"
            src = dl if field == "dateline" else text
            k = (field, surface)
            if len(d) > 5:  # an explicit occurrence (the surface also occurs inside another date)
                cursor[k] = 0
                for _ in range(d[5] - 1):
                    cursor[k] = _find(src, surface, cursor[k])[0] + 1
            s, e = _find(src, surface, cursor.get(k, 0))
            cursor[k] = e
            gd.append({"field": field, "text": surface, "start": s, "end": e, "value": value, "granularity": gran,
                       "relative": rel})
        anchor = rec.dates_anchor
        out.append({"id": aid, "split": split, "source": rec.source,
                    "anchor": {"date": anchor.date, "source": anchor.source} if anchor else None, "quotes": gq,
                    "dates": gd})
    return out


def refresh(gold: list[dict], records: dict[str, Any]) -> tuple[list[dict], list[str]]:
    """``gold`` with every span's offsets re-anchored in today's cleaned text; and what could not be."""
    lost = []
    for g in gold:
        rec = records.get(g["id"])
        if rec is None:
            lost.append(f"{g['id']}: article not found")
            continue
        dl = rec.dateline.text if rec.dateline is not None else ""
        for kind, items in (("quote", g["quotes"]), ("date", g["dates"])):
            for i, item in enumerate(items):
                at, _ = resolve(dl if item.get("field") == "dateline" else rec.text, item)
                if at is None:
                    lost.append(f"{g['id']}: {kind} {i} ({item.get('head') or item.get('text')}…)")
                else:
                    item["start"], item["end"] = at
    return gold, lost


def _shared(arg: str | None) -> Path:
    if arg:
        return Path(arg)
    from streams.settings import shared_data_dir

    return shared_data_dir()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m streams.facts.evaldata.build_gold", description=__doc__.split("\n")[0])
    ap.add_argument("--shared", help="the shared data directory")
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("add", help="print gold lines for a worksheet's articles")
    a.add_argument("worksheet")
    a.add_argument("--split", choices=("dev", "test"), required=True)
    s = sub.add_parser("show", help="print the gold spans of articles, read from the shared data (review)")
    s.add_argument("ids", nargs="+")
    sub.add_parser("refresh", help="rewrite gold.jsonl with offsets re-anchored in today's cleaned text")
    args = ap.parse_args(argv)
    shared = _shared(args.shared)
    if args.cmd == "add":
        worksheet = json.loads(Path(args.worksheet).read_text(encoding="utf-8"))
        for item in build(worksheet, enriched(set(worksheet), shared), args.split):
            sys.stdout.write(json.dumps(item, ensure_ascii=False) + "\n")
    elif args.cmd == "show":
        records = enriched(set(args.ids), shared)
        for g in (g for g in load_gold() if g["id"] in records):
            rec = records[g["id"]]
            for q in g["quotes"]:
                at, _ = resolve(rec.text, q)
                span = rec.text[at[0]:at[1]] if at else "<not found>"
                sys.stdout.write(f"{g['id']} {'D' if q['direct'] else 'R'} {q['verb']} [{q['speaker_key']}] {span}\n")
            for d in g["dates"]:
                sys.stdout.write(f"{g['id']} date {d['text']} = {d['value']} ({d['granularity']})\n")
    else:
        gold, lost = refresh(load_gold(), enriched({g["id"] for g in load_gold()}, shared))
        if lost:
            raise SystemExit("not re-anchored (annotate these again):\n" + "\n".join(lost))
        GOLD.write_text("".join(json.dumps(g, ensure_ascii=False) + "\n" for g in gold), encoding="utf-8")


if __name__ == "__main__":
    main()
