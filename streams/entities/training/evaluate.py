"""Entity-level evaluation, as seqeval (default, lenient IOB2 chunking) and the literature do:
a predicted entity counts only if its span and type both match a gold entity exactly; micro
P/R/F1 overall and per type; plus throughput in tokens/s."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..bio import get_entities, spans_to_tags
from .conll import documents, read_conll

@dataclass
class Scores:
    precision: float
    recall: float
    f1: float
    support: int
    predicted: int
    correct: int


def _prf(correct: int, pred: int, gold: int) -> Scores:
    p = correct / pred if pred else 0.0
    r = correct / gold if gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return Scores(p, r, f, gold, pred, correct)


def score(gold: Iterable[Sequence[str]], pred: Iterable[Sequence[str]]) -> dict[str, Scores]:
    """``{"overall": Scores, "LOC": Scores, ...}`` from parallel tag sequences."""
    g_all: set[tuple[int, str, int, int]] = set()
    p_all: set[tuple[int, str, int, int]] = set()
    for k, (g, p) in enumerate(zip(gold, pred, strict=True)):
        g_all.update((k, *e) for e in get_entities(g))
        p_all.update((k, *e) for e in get_entities(p))
    types = sorted({e[1] for e in g_all} | {e[1] for e in p_all})
    res = {"overall": _prf(len(g_all & p_all), len(p_all), len(g_all))}
    for t in types:
        gt = {e for e in g_all if e[1] == t}
        pt = {e for e in p_all if e[1] == t}
        res[t] = _prf(len(gt & pt), len(pt), len(gt))
    return res


def evaluate(test_path: str | Path, model_path: str | Path | None = None, *, hybrid: bool = True,
             max_sentences: int | None = None, stages: int | None = None, news_rules: bool = False) -> dict:
    """Score the model (with the gazetteer/rule post-processing when ``hybrid``) on a CoNLL file.

    The file has no document marks, so blocks of ``conll.DOC_SENTENCES`` consecutive sentences
    are tagged together as documents (as the second stage was trained); ``stages=1`` scores the
    first stage alone. ``news_rules``: also apply the news-convention span rules (``rules``),
    which ANERcorp's annotation does not follow (off by default)."""
    from ..model import load_model
    from ..recognize import recognize_tokens

    data = read_conll(test_path, max_sentences)
    m = load_model(model_path)
    m.reset_caches()
    preds: list[list[str]] = []
    ntok = sum(len(t) for t, _ in data)
    t0 = time.perf_counter()
    for d in documents(len(data)):
        sents = [data[k][0] for k in d]
        for toks, tagged in zip(sents, m.tag_many(sents, stages=stages)):
            if hybrid:
                spans = recognize_tokens(m, toks, tagged=tagged, news_rules=news_rules)
                preds.append(spans_to_tags(len(toks), [(s.i, s.j, s.type) for s in spans]))
            else:
                preds.append(tagged[0])
    dt = time.perf_counter() - t0
    res = score([g for _, g in data], preds)
    return {
        "scores": {k: vars(v) for k, v in res.items()},
        "sentences": len(data),
        "tokens": ntok,
        "seconds": dt,
        "tokens_per_s": ntok / dt if dt else 0.0,
        "hybrid": hybrid,
        "news_rules": news_rules,
        "stages": min(stages or len(m.stages), len(m.stages)),
    }


def format_report(r: dict) -> str:
    lines = [f"{'type':<8} {'P':>6} {'R':>6} {'F1':>6} {'support':>8}"]
    sc = r["scores"]
    for k in ["overall"] + sorted(t for t in sc if t != "overall"):
        s = sc[k]
        lines.append(f"{k:<8} {s['precision']:6.4f} {s['recall']:6.4f} {s['f1']:6.4f} {s['support']:8d}")
    what = f"{r.get('stages', 1)}-stage CRF" + (" + gazetteer/rules" if r["hybrid"] else " only")
    what += " + news span rules" if r.get("news_rules") else ""
    lines.append(f"{r['tokens']} tokens in {r['seconds']:.2f}s: {r['tokens_per_s']:,.0f} tokens/s ({what})")
    return "\n".join(lines)

