"""The numpy scorer must give crfsuite's labels, and the document features must be honest
(a token's own first-stage label never counts as evidence from elsewhere in the document)."""

from __future__ import annotations

import numpy as np
import pycrfsuite

from streams.entities.training.conll import documents, read_conll
from streams.entities.fastcrf import viterbi_batch
from streams.entities.features import doc_features

from .conftest import need, shared_data


def _brute(E: np.ndarray, T: np.ndarray) -> list[int]:
    import itertools

    n, L = E.shape
    best, arg = -1e18, None
    for ys in itertools.product(range(L), repeat=n):
        s = sum(E[i, y] for i, y in enumerate(ys)) + sum(T[a, b] for a, b in zip(ys, ys[1:]))
        if s > best:
            best, arg = s, list(ys)
    return arg


def test_batched_viterbi_matches_brute_force():
    rng = np.random.default_rng(0)
    T = rng.normal(size=(3, 3))
    lens = [4, 1, 3, 5, 2]
    E = rng.normal(size=(sum(lens), 3))
    got = viterbi_batch(E, lens, T)
    o = 0
    for n, path in zip(lens, got):
        assert path == _brute(E[o:o + n], T)
        o += n


def test_packaged_model_tags_like_crfsuite(model):
    data = read_conll(need(shared_data() / "ner" / "anercorp-camel-test.txt"), 150)
    tg = pycrfsuite.Tagger()
    tg.open(str(model.path))
    sents = [t for t, _ in data]
    got = model.tag_many(sents, stages=1)
    for toks, (labels, _) in zip(sents, got):
        x, _ = model.featurizer.sentence(toks)
        assert tg.tag(x) == labels


def test_doc_features_pool_other_occurrences_only():
    keys = [["a", None, "b"], ["a", "b"]]
    labels = [["B-PER", "O", "O"], ["O", "O"]]
    f = doc_features(keys, labels)
    assert "dm=O" in f[0][0] and "dt=PER" not in f[0][0]  # the other "a" is O
    assert "dm=PER" in f[1][0] and "dt=PER" in f[1][0] and "dmix" not in f[1][0]
    assert not any(x.startswith(("dm=", "dt=")) for x in f[0][1])  # no key, no pooling
    assert f[0][0][0] == "s1=B-PER" and "s1+1=O" in f[0][0]


def test_packaged_second_stage_tags_like_crfsuite(model):
    from streams.entities.features import doc_key
    from streams.entities.model import stage2_path

    if len(model.stages) < 2:
        import pytest

        pytest.skip("the packaged model has one stage")
    data = read_conll(need(shared_data() / "ner" / "anercorp-camel-test.txt"), 64)
    t1, t2 = pycrfsuite.Tagger(), pycrfsuite.Tagger()
    t1.open(str(model.path))
    t2.open(str(stage2_path(model.path)))
    for blk in documents(len(data)):
        sents = [data[k][0] for k in blk]
        xs = [model.featurizer.sentence(s)[0] for s in sents]
        keys = [[doc_key(t, model.featurizer.info(t)) for t in s] for s in sents]
        extra = doc_features(keys, [t1.tag(x) for x in xs])
        want = [t2.tag([a + b for a, b in zip(x, f)]) for x, f in zip(xs, extra)]
        assert [labels for labels, _ in model.tag_many(sents)] == want
