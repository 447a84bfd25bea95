from __future__ import annotations

import time

from streams.entities.model import Model, default_model_path

LABELS = {"O"} | {f"{p}-{t}" for p in "BI" for t in ("PER", "LOC", "ORG", "MISC")}


def test_packaged_model_loads_fast_and_tags():
    t0 = time.process_time()  # CPU time: wall time on a shared, loaded box measures the neighbours
    m = Model(default_model_path())
    assert time.process_time() - t0 < 2.0
    toks = "قال الرئيس الأمريكي دونالد ترامب في واشنطن إن حلف شمال الأطلسي".split()
    labels, _ = m.tag(toks)
    assert len(labels) == len(toks) and set(labels) <= LABELS
    assert labels[3:5] == ["B-PER", "I-PER"]
    assert labels[6] == "B-LOC"
    assert labels[2] == "O"  # the nationality adjective
    assert m.tag([]) == ([], [])


def test_model_is_small():
    p = default_model_path()
    assert p.stat().st_size < 50e6


def test_token_cache_overflow_between_articles_keeps_tagging(monkeypatch):
    """A full token cache is emptied between articles, never in the middle of one (ids handed
    out earlier in the article would point past the emptied table)."""
    from streams.entities import model as model_mod, tokencache

    m = model_mod.load_model()
    monkeypatch.setattr(tokencache, "TOKEN_CACHE_MAX", 8)
    sentence = "أعلنت واشنطن أنها لن تناقش مع بغداد مسألة انسحاب قواتها من العراق".split()
    for _ in range(3):
        [(labels, _gaz)] = m.tag_many([sentence])
        assert len(labels) == len(sentence)
        assert any(label != "O" for label in labels)
    assert len(m.tokens.slots) <= len(set(sentence))


def test_feature_rows_are_the_feature_strings_rows():
    """The tagger's ``Featurizer.rows`` (template/value look-ups, no strings) gives, for every
    token, exactly the rows of ``Featurizer.compute``'s known features, in the same order (the
    weight sums depend on it)."""
    from streams.entities import model as model_mod

    m = model_mod.load_model()
    f, index = m.featurizer, m._scorer.index
    text = ("وقال وزير الخارجية الأمريكي مايك بومبيو للصحفيين في واشنطن إن بالعراق ولبنان وسوريا "
            "قوات حلف شمال الأطلسي (الناتو) Reuters l'OTAN 2020 3.5 ٢٠٢٠ كتبهم وبالمملكة فيلق القدس الإيراني ـ ، ؟")
    toks = text.split() + ["و", "ال", "x", "Éé", "سعوديةً"]
    for tok in toks:
        info, rows = f.compute(tok), f.rows(tok)
        for feats, r in zip(info[:5], rows[:5]):
            assert r == [index[x] for x in feats], tok
        assert info[5:] == tuple(rows[5:])
    assert any(rows.own for rows in map(f.rows, toks)) and any(rows.as_prev for rows in map(f.rows, toks))


def test_unique_inverse_is_numpys():
    """The document scorer's grouping helpers give np.unique's arrays (same values, same order)."""
    import numpy as np

    from streams.entities.model import _sorted_inverse, _unique_inverse

    rng = np.random.default_rng(17)
    for _ in range(500):
        x = rng.integers(0, rng.integers(1, 40), rng.integers(1, 300)) * 5 + rng.integers(0, 5)
        u, inv = np.unique(x, return_inverse=True)
        u2, inv2 = _unique_inverse(x)
        assert u2.tolist() == u.tolist() and inv2.tolist() == inv.reshape(-1).tolist()
        assert _sorted_inverse(u // 5).tolist() == np.unique(u // 5, return_inverse=True)[1].reshape(-1).tolist()
