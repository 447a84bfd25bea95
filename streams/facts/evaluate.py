"""Score quotes and dates against the hand-annotated gold set (``evaldata/gold.jsonl``).

The gold stores, per article, its id and for every statement its offsets in the cleaned text and
a fingerprint of the span instead of its words (length, SHA-1, the first and last two words); a
date keeps its short surface (``evaldata/GUIDE.md``). Articles are read from the shared corpora
(never shipped), run through the same pipeline as the worker, and every gold span is resolved in
today's cleaned text: at its stored offsets when the span there has its fingerprint, else at the
fingerprint's match nearest to them (the cleaner moved it; counted as ``relocated``), else it is
counted as ``unanchored`` (and as a miss). Then:

* **quote spans**: exact (start, end) match, precision / recall / F1;
* **speaker attribution**: for every gold statement that a predicted statement overlaps, the
  predicted speaker is right when the gold speaker key (the name or role that identifies the
  speaker) is in the predicted speaker's phrase or in its linked entity's mentions, or when both
  say "no speaker"; split by direct / reported;
* **date resolution**: a gold date is right when predicted dates of the same field overlap it and
  all of them have its value and granularity (``غدا الثلاثاء`` read as two dates must resolve both
  to the same day); split by written / relative (weekday or relative
  expression). Missed dates count as wrong; the accuracy over the dates found is also given.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .shadow import bare, shadow

GOLD = Path(__file__).with_name("evaldata") / "gold.jsonl"


def _norm(s: str | None) -> str:
    return " ".join(bare(shadow(s or "")).split())


_HEAD = re.compile(r"\S+(?:\s+\S+)?")
_TAIL = re.compile(r"(?:\S+\s+)?\S+\Z")


def sha1(span: str) -> str:
    return hashlib.sha1(span.encode("utf-8")).hexdigest()


def fingerprint(text: str, start: int, end: int) -> dict[str, Any]:
    """What the gold stores of a statement span instead of its words: offsets, length, SHA-1 of
    the exact span, and its first and last two words (anchors to find it again)."""
    span = text[start:end]
    head, tail = _HEAD.match(span), _TAIL.search(span)
    return {"start": start, "end": end, "length": len(span), "sha1": sha1(span),
            "head": head.group() if head else "", "tail": tail.group() if tail else ""}


def _fits(text: str, at: int, item: dict) -> bool:
    if "sha1" not in item:  # a date: its surface is stored
        return text.startswith(item["text"], at)
    end = at + item["length"]
    return (end <= len(text) and text.startswith(item["head"], at) and text.endswith(item["tail"], at, end)
            and sha1(text[at:end]) == item["sha1"])


def resolve(text: str, item: dict) -> tuple[tuple[int, int] | None, bool]:
    """Offsets of a gold span (a fingerprinted statement or a date surface) in ``text`` and whether
    they moved: the stored offsets when the span there fits, else the fitting candidate (one
    starting with the head) nearest to them, else None."""
    s = item["start"]
    n = item["length"] if "sha1" in item else len(item["text"])
    if 0 <= s and item["end"] - s == n and _fits(text, s, item):
        return (s, s + n), False
    head = item.get("head", item.get("text")) or ""
    found, pos = [], text.find(head)
    while pos >= 0 and head:
        if _fits(text, pos, item):
            found.append(pos)
        pos = text.find(head, pos + 1)
    if not found:
        return None, False
    best = min(found, key=lambda p: abs(p - s))
    return (best, best + n), True


def _speaker_ok(gold: dict, pred: Any, entities: list) -> bool:
    key = gold.get("speaker_key")
    spk = getattr(pred, "speaker", None)
    if not key:
        return spk is None
    if spk is None:
        return False
    for k in map(_norm, key.split("|")):  # alternatives: the same speaker spelled differently
        if k in _norm(spk.text):
            return True
        if spk.entity is not None and 0 <= spk.entity < len(entities):
            e = entities[spk.entity]
            if any(k in _norm(m.text) or _norm(m.text) in k for m in e.mentions) or k in _norm(e.text):
                return True
    return False


def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0, "tp": tp,
            "predicted": n_pred, "gold": n_gold}


def _ratio(ok: int, n: int) -> dict[str, float]:
    return {"accuracy": ok / n if n else 0.0, "correct": ok, "total": n}


def score(gold: Iterable[dict], records: dict[str, Any]) -> dict[str, Any]:
    """Figures for ``gold`` articles against their enriched ``records`` (by id)."""
    span_tp = n_pred = n_gold = 0
    spk = {"direct": [0, 0], "reported": [0, 0]}
    dates = {"written": [0, 0, 0], "relative": [0, 0, 0]}  # correct, found, total
    unanchored = relocated = 0
    articles = 0
    for g in gold:
        rec = records.get(g["id"])
        if rec is None:
            continue
        articles += 1
        text = rec.text
        preds = list(rec.quotes)
        pred_spans = {(q.start, q.end) for q in preds}
        n_pred += len(preds)
        for gq in g.get("quotes", []):
            n_gold += 1
            at, moved = resolve(text, gq)
            relocated += moved
            if at is None:
                unanchored += 1
                continue
            s, e = at
            span_tp += (s, e) in pred_spans
            best = max(preds, key=lambda q: min(e, q.end) - max(s, q.start), default=None)
            if best is not None and min(e, best.end) > max(s, best.start):
                bucket = spk["direct" if gq["direct"] else "reported"]
                bucket[1] += 1
                bucket[0] += _speaker_ok(gq, best, rec.entities)
        dl_text = rec.dateline.text if rec.dateline is not None else ""
        for gd in g.get("dates", []):
            field = gd.get("field", "text")
            bucket = dates["relative" if gd["relative"] else "written"]
            bucket[2] += 1
            at, moved = resolve(dl_text if field == "dateline" else text, gd)
            relocated += moved
            if at is None:
                unanchored += 1
                continue
            s, e = at
            hits = [d for d in rec.dates if d.field == field and min(e, d.end) > max(s, d.start)]
            if hits:
                bucket[1] += 1
                bucket[0] += all(d.value == gd["value"] and d.granularity == gd["granularity"] for d in hits)
    return {
        "articles": articles,
        "quote_spans": _prf(span_tp, n_pred, n_gold),
        "speaker_direct": _ratio(*spk["direct"]),
        "speaker_reported": _ratio(*spk["reported"]),
        "dates_written": {**_ratio(dates["written"][0], dates["written"][2]),
                          "found": dates["written"][1],
                          "accuracy_found": dates["written"][0] / dates["written"][1] if dates["written"][1] else 0.0},
        "dates_relative": {**_ratio(dates["relative"][0], dates["relative"][2]),
                           "found": dates["relative"][1],
                           "accuracy_found": dates["relative"][0] / dates["relative"][1] if dates["relative"][1] else 0.0},
        "unanchored": unanchored,
        "relocated": relocated,
    }


def load_gold(path: Path | str = GOLD) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip() and not line.startswith("#")]


def load_articles(ids: set[str], shared: Path) -> dict[str, bytes]:
    """Raw payloads of ``ids`` from the shared corpora (the seed sample and the Arabic corpus)."""
    out: dict[str, bytes] = {}
    seed = shared / "samples" / "seed-article.json"
    if seed.exists():
        raw = seed.read_bytes()
        if json.loads(raw).get("id") in ids:
            out[json.loads(raw)["id"]] = raw
    corpus = shared / "ar-saudinewsnet-6k.jsonl"
    if corpus.exists():
        with corpus.open("rb") as fh:
            for line in fh:
                aid = json.loads(line).get("id")
                if aid in ids:
                    out[aid] = line
    return out


def enriched(ids: set[str], shared: Path | str) -> dict[str, Any]:
    """Enriched records of ``ids`` (those found under ``shared``), through the worker's pipeline."""
    from ..pipeline import process_payload
    from ..records import EnrichedArticle, SourcePosition

    records = {}
    for aid, payload in load_articles(ids, Path(shared)).items():
        r = process_payload(payload, SourcePosition(file="gold", line=0), max_bytes=2_000_000)
        if isinstance(r, EnrichedArticle):
            records[aid] = r
    return records


def evaluate(shared: Path | str, gold_path: Path | str = GOLD) -> dict[str, Any]:
    """Run the pipeline on every gold article found under ``shared`` and score it."""
    gold = load_gold(gold_path)
    records = enriched({g["id"] for g in gold}, shared)
    result = score(gold, records)
    result["missing_articles"] = len(gold) - len(records)
    splits = sorted({g.get("split") for g in gold if g.get("split")})
    result["splits"] = {s: score([g for g in gold if g.get("split") == s], records) for s in splits}
    return result


def format_report(r: dict[str, Any]) -> str:
    q = r["quote_spans"]
    lines = [
        f"facts evaluation on {r['articles']} annotated articles"
        + (f" ({r['missing_articles']} not found in the shared data)" if r.get("missing_articles") else ""),
        f"quote spans (exact):     P {q['precision']:.3f}  R {q['recall']:.3f}  F1 {q['f1']:.3f}"
        f"  (gold {q['gold']}, predicted {q['predicted']})",
    ]
    for name, label in (("speaker_direct", "speaker, direct:  "), ("speaker_reported", "speaker, reported:")):
        s = r[name]
        lines.append(f"{label}      accuracy {s['accuracy']:.3f}  ({s['correct']}/{s['total']} statements found)")
    for name, label in (("dates_written", "dates, written:  "), ("dates_relative", "dates, relative: ")):
        d = r[name]
        lines.append(f"{label}       accuracy {d['accuracy']:.3f}  ({d['correct']}/{d['total']};"
                     f" found {d['found']}, right among found {d['accuracy_found']:.3f})")
    if r.get("splits"):
        lines.append("by half (dev: used to tune the rules; test: annotated afterwards, not tuned on except"
                     " two speaker rules read from its errors, see README):")
        lines.append("  half  articles  span-F1  spk-direct  spk-reported  dates-written  dates-relative")
        for name, s in r["splits"].items():
            lines.append(f"  {name:<5} {s['articles']:>8}  {s['quote_spans']['f1']:.3f}    {s['speaker_direct']['accuracy']:.3f}"
                         f"       {s['speaker_reported']['accuracy']:.3f}         {s['dates_written']['accuracy']:.3f}"
                         f"          {s['dates_relative']['accuracy']:.3f}")
    if r["unanchored"]:
        lines.append(f"gold items not found in the cleaned text (no span with their fingerprint; scored as missed):"
                     f" {r['unanchored']}")
    if r.get("relocated"):
        lines.append(f"gold items found away from their stored offsets (the cleaner moved them): {r['relocated']}")
    return "\n".join(lines)
