"""Train the CRF(s) on ANERcorp (CoNLL ``token TAG``) and write ``<out>`` plus
``<out>.lexicon.tsv`` and ``<out>.weights.npz``; with ``stages=2`` also the second-stage model
``<stem>.stage2.crfsuite`` (see :mod:`model`).

The second stage is trained on honest first-stage labels: the corpus (in its order, cut into
pseudo-documents of ``conll.DOC_SENTENCES`` consecutive sentences) is split into ``FOLDS`` contiguous
folds, and each fold is tagged by a first-stage model trained on the other folds (jackknife).

Deterministic: the lexicon and features depend only on the data, L-BFGS has no randomness, and
the seed only fixes the sentence order (and which sentences a ``max_sentences`` run keeps when
``shuffle`` is on).
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

import pycrfsuite

from .. import lexicon as lexmod
from ..fastcrf import export_weights
from ..features import Featurizer, doc_features, doc_key
from ..gazetteer import Gazetteer
from ..lexicon import lexicon_path
from ..model import Model, stage2_path
from .conll import documents, read_conll

PARAMS = {"c1": 0.05, "c2": 0.01, "max_iterations": 300, "feature.possible_transitions": True}
FOLDS = 3


def _fit(xs: list, ys: list, order: list[int], out: Path, params: dict, verbose: bool) -> None:
    trainer = pycrfsuite.Trainer(verbose=verbose)
    for k in order:
        trainer.append(xs[k], ys[k])
    trainer.set_params(params)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    trainer.train(str(tmp))
    tmp.replace(out)
    export_weights(out)


def train(train_path: str | Path, out: str | Path, *, seed: int = 13, max_sentences: int | None = None,
          params: dict | None = None, data: list | None = None, verbose: bool = False, stages: int = 2) -> dict:
    t0 = time.perf_counter()
    if data is None:
        data = read_conll(train_path, max_sentences)
    data = list(data)  # in corpus order: documents are runs of consecutive sentences
    order = list(range(len(data)))
    random.Random(seed).shuffle(order)
    lex = lexmod.with_gazetteer(lexmod.build(t for t, _ in data))
    feat = Featurizer(Gazetteer(lex))
    xs = [feat.sentence(toks)[0] for toks, _ in data]
    ys = [tags for _, tags in data]
    p = dict(PARAMS)
    p.update(params or {})
    out = Path(out)
    _fit(xs, ys, order, out, p, verbose)
    lexmod.save(lex, lexicon_path(out))
    out2 = stage2_path(out)
    info = {"sentences": len(data), "tokens": sum(len(t) for t, _ in data), "model": str(out), "params": p,
            "stages": stages}
    if stages < 2:
        out2.unlink(missing_ok=True)
        info.update(seconds=time.perf_counter() - t0, bytes=out.stat().st_size)
        return info
    # jackknifed first-stage labels for every training sentence
    docs = documents(len(data))
    first: list[list[str]] = [[] for _ in data]
    with tempfile.TemporaryDirectory() as td:
        for f in range(FOLDS):
            held = docs[f * len(docs) // FOLDS:(f + 1) * len(docs) // FOLDS]
            held_ids = {k for d in held for k in d}
            mp = Path(td, f"fold{f}.crfsuite")
            _fit(xs, ys, [k for k in order if k not in held_ids], mp, p, verbose)
            lexmod.save(lex, lexicon_path(mp))
            m = Model(mp)
            for d in held:
                for k, (labels, _) in zip(d, m.tag_many([data[k][0] for k in d], stages=1)):
                    first[k] = labels
    keys = [[doc_key(t, feat.info(t)) for t in toks] for toks, _ in data]
    xs2 = list(xs)
    for d in docs:
        df = doc_features([keys[k] for k in d], [first[k] for k in d])
        for k, f in zip(d, df):
            xs2[k] = [a + b for a, b in zip(xs[k], f)]
    _fit(xs2, ys, order, out2, p, verbose)
    info.update(seconds=time.perf_counter() - t0, bytes=out.stat().st_size + out2.stat().st_size, model2=str(out2))
    return info
