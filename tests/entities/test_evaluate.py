from __future__ import annotations

import pytest

from streams.entities.bio import get_entities
from streams.entities.training.evaluate import score

GOLD = [
    ["B-PER", "I-PER", "O", "B-LOC", "O"],
    ["B-ORG", "I-ORG", "I-ORG", "O", "B-PER"],
    ["O", "B-LOC", "I-LOC", "O", "B-MISC"],
]
PRED = [
    ["B-PER", "I-PER", "O", "B-LOC", "O"],  # 2 correct
    ["B-ORG", "I-ORG", "O", "O", "B-LOC"],  # ORG span too short, PER typed LOC: 0 correct
    ["O", "B-LOC", "I-LOC", "O", "I-MISC"],  # LOC correct; I- after O starts a MISC chunk: correct
]


def test_known_figures():
    r = score(GOLD, PRED)
    # gold 6 entities, predicted 6, correct 4
    assert r["overall"].support == 6 and r["overall"].predicted == 6 and r["overall"].correct == 4
    assert r["overall"].precision == pytest.approx(4 / 6)
    assert r["overall"].recall == pytest.approx(4 / 6)
    assert r["PER"].precision == pytest.approx(1.0) and r["PER"].recall == pytest.approx(0.5)
    assert r["LOC"].precision == pytest.approx(2 / 3) and r["LOC"].recall == pytest.approx(1.0)
    assert r["LOC"].f1 == pytest.approx(0.8)
    assert r["ORG"].f1 == 0.0
    assert r["MISC"].f1 == pytest.approx(1.0)


def test_chunking_rules():
    assert get_entities(["I-PER", "I-PER", "O", "B-LOC", "I-ORG"]) == [("PER", 0, 2), ("LOC", 3, 4), ("ORG", 4, 5)]
    assert get_entities(["B-PER", "B-PER"]) == [("PER", 0, 1), ("PER", 1, 2)]


def _chunks_every_tag(tags):
    """The straightforward reading of seqeval's rules, one tag at a time (the reference for
    ``get_entities``, which visits only the tags inside entities)."""
    chunks, typ, start = [], None, 0
    for i, tag in enumerate(list(tags) + ["O"]):
        pre, _, t = ("O", "", None) if tag in ("O", "") else tag.partition("-")
        if typ is not None and (pre in ("B", "S", "O") or t != typ):
            chunks.append((typ, start, i))
            typ = None
        if pre != "O" and (pre in ("B", "S") or typ is None):
            typ, start = t, i
    return chunks


def test_chunking_agrees_with_the_tag_by_tag_rules():
    import random

    rnd = random.Random(17)
    labels = ["O", "O", "", "B-PER", "I-PER", "B-LOC", "I-LOC", "S-ORG", "I-ORG", "E-PER"]
    for _ in range(20_000):
        tags = [rnd.choice(labels) for _ in range(rnd.randint(0, 12))]
        assert get_entities(tags) == _chunks_every_tag(tags), tags


def test_agrees_with_seqeval():
    seqeval = pytest.importorskip("seqeval.metrics")
    from seqeval.metrics import classification_report

    r = score(GOLD, PRED)
    rep = classification_report(GOLD, PRED, output_dict=True, zero_division=0)
    assert r["overall"].f1 == pytest.approx(rep["micro avg"]["f1-score"])
    for t in ("PER", "LOC", "ORG", "MISC"):
        assert r[t].precision == pytest.approx(rep[t]["precision"])
        assert r[t].recall == pytest.approx(rep[t]["recall"])
