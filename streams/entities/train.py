"""Train the CRF on ANERcorp (CoNLL ``token TAG``) and write ``<out>`` plus ``<out>.lexicon.tsv``.

Deterministic: the lexicon and features depend only on the data, L-BFGS has no randomness, and
the seed only fixes the sentence order (and which sentences a ``max_sentences`` run keeps when
``shuffle`` is on).
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pycrfsuite

from . import lexicon as lexmod
from .evaluate import read_conll
from .fastcrf import export_weights
from .features import Featurizer
from .gazetteer import Gazetteer

PARAMS = {"c1": 0.05, "c2": 0.01, "max_iterations": 300, "feature.possible_transitions": True}


def lexicon_path(model_path: str | Path) -> Path:
    return Path(str(model_path) + ".lexicon.tsv")


def train(train_path: str | Path, out: str | Path, *, seed: int = 13, max_sentences: int | None = None,
          params: dict | None = None, data: list | None = None, verbose: bool = False) -> dict:
    t0 = time.perf_counter()
    if data is None:
        data = read_conll(train_path, max_sentences)
    data = list(data)
    random.Random(seed).shuffle(data)
    lex = lexmod.with_gazetteer(lexmod.build(t for t, _ in data))
    gaz = Gazetteer(lex)
    feat = Featurizer(gaz)
    trainer = pycrfsuite.Trainer(verbose=verbose)
    for toks, tags in data:
        x, _ = feat.sentence(toks)
        trainer.append(x, tags)
    p = dict(PARAMS)
    p.update(params or {})
    trainer.set_params(p)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    trainer.train(str(tmp))
    tmp.replace(out)
    lexmod.save(lex, lexicon_path(out))
    export_weights(out)
    return {"sentences": len(data), "tokens": sum(len(t) for t, _ in data), "seconds": time.perf_counter() - t0,
            "model": str(out), "bytes": out.stat().st_size, "params": p}
