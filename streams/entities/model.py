"""Load the shipped CRF(s) once per process and tag the sentences of a document.

Two stages (Krishnan & Manning 2006): the first CRF tags every sentence of the document (an
article; in evaluation, a block of consecutive sentences); the second sees the same features
plus what the first said about the same word elsewhere in the document (``features.
doc_features``: the majority label of the other occurrences of the token's core, which entity
types it had, the first-stage labels around it), so a name recognised once is recognised
everywhere. The second stage is used when ``<model stem>.stage2.crfsuite`` sits beside the model.

Tagging does not go through crfsuite: the weights are read into numpy (``fastcrf``) and each
distinct token's weight vectors are cached, so a document is scored with a few array operations
and decoded with one batched Viterbi pass per stage (the same labels as crfsuite's tagger, several
times faster). Training uses crfsuite.
"""

from __future__ import annotations

import functools
import threading
from importlib import resources
from pathlib import Path

import numpy as np

from . import lexicon as lexmod
from .fastcrf import Weights, viterbi_batch
from .features import Featurizer, doc_key, gaz_features, pooled_features
from .gazetteer import Gazetteer

MODEL_NAME = "ner.crfsuite"
_TOKEN_CACHE_MAX = 100_000  # ~3 KB each (weights per label): bounds worker RSS (200k: 822 MB after 6k articles, 50k: 433 MB but -25% speed)


@functools.lru_cache(maxsize=1)
def default_model_path() -> Path:
    return Path(str(resources.files("streams.entities").joinpath("models", MODEL_NAME)))


def stage2_path(model_path: str | Path) -> Path:
    p = Path(model_path)
    return p.with_name(p.stem + ".stage2" + p.suffix)


class _Scorer:
    """One CRF's weights, with the five weight vectors of each cached token (own features, and
    its features as the -2/-1/+1/+2 neighbour), indexed by the model's token ids."""

    def __init__(self, w: Weights) -> None:
        self.w = w
        self.index = w.index
        self.bos = np.array([w.vec(["BOS"]), w.vec(["BOS2"]), w.vec(["EOS"]), w.vec(["EOS2"])])
        self.g = {a: w.W[k] for a, k in w.index.items() if a.startswith("G=") or a == "Gcont"}
        self._build_bigrams()
        self.reset()

    def reset(self) -> None:
        self.tv = np.zeros((1024, 5, self.w.L))
        self.bs: list[int] = []  # per token: id of its core in the bigram table, or -1

    def _build_bigrams(self) -> None:
        """``bg-=a|b`` / ``bg+=a|b`` weights keyed by integer ids of the cores a and b."""
        w = self.w
        pairs: dict[tuple[str, str], list] = {}
        for attr, k in w.index.items():
            if attr.startswith(("bg-=", "bg+=")):
                body = attr[4:]
                parts = body.split("|")
                cuts = [(parts[0], parts[1])] if len(parts) == 2 else [  # a core may itself contain "|"
                    (body[:c], body[c + 1:]) for c in range(len(body)) if body[c] == "|"]
                for ab in cuts:
                    pairs.setdefault(ab, [None, None])[attr[2] == "+"] = w.W[k]
        stems: dict[str, int] = {}
        for a, b in pairs:
            stems.setdefault(a, len(stems))
            stems.setdefault(b, len(stems))
        self.bstem = stems
        self.bigram = {(stems[a], stems[b]): (v[0], v[1]) for (a, b), v in pairs.items()}

    def add(self, k: int, inf: tuple) -> None:
        if k >= self.tv.shape[0]:
            self.tv = np.concatenate([self.tv, np.zeros_like(self.tv)])
        index = self.index
        slots = []
        rows = []
        for slot in range(5):
            for a in inf[slot]:
                r = index.get(a)
                if r is not None:
                    slots.append(slot)
                    rows.append(r)
        if rows:
            np.add.at(self.tv[k], slots, self.w.W[rows])
        self.bs.append(self.bstem.get(inf[7], -1))

    def emissions(self, ids: list[int], lens: list[int], gfeats: list[list], extra: list[list[str]] | None = None) -> np.ndarray:
        """Emission scores of the concatenated sentences (``lens``) of token ids ``ids``."""
        N = len(ids)
        A = self.tv[ids]  # (N, 5, L)
        E = A[:, 0].copy()
        starts = np.cumsum([0] + lens[:-1])
        ends = starts + np.array(lens)
        pos = np.arange(N) - np.repeat(starts, lens)
        rpos = np.repeat(ends, lens) - 1 - np.arange(N)
        if N > 1:
            E[1:] += A[:-1, 2] * (pos[1:] >= 1)[:, None]
            E[:-1] += A[1:, 3] * (rpos[:-1] >= 1)[:, None]
            if N > 2:
                E[2:] += A[:-2, 1] * (pos[2:] >= 2)[:, None]
                E[:-2] += A[2:, 4] * (rpos[:-2] >= 2)[:, None]
        bos = self.bos
        E[pos == 0] += bos[0]
        E[pos == 1] += bos[1]
        E[rpos == 0] += bos[2]
        E[rpos == 1] += bos[3]
        bs = self.bs
        bg = self.bigram
        prev = -1
        for i, k in enumerate(ids):
            cur = bs[k]
            if prev >= 0 and cur >= 0 and pos[i]:
                v = bg.get((prev, cur))
                if v is not None:
                    if v[0] is not None:
                        E[i] += v[0]
                    if v[1] is not None:
                        E[i - 1] += v[1]
            prev = cur
        g = self.g
        cont = g.get("Gcont")
        o = 0
        for gfeat, n in zip(gfeats, lens):
            if gfeat is not None:
                for i in range(n):
                    s = gfeat[i]
                    if s is not None:
                        v = g.get(s)
                        if v is not None:
                            E[o + i] += v
                        if cont is not None and i + 1 < n and gfeat[i + 1] is not None and gfeat[i + 1].startswith("G=I"):
                            E[o + i] += cont
            o += n
        if extra is not None:
            index = self.index
            rows: list[int] = []
            at: list[int] = []
            for i, fs in enumerate(extra):
                for a in fs:
                    r = index.get(a)
                    if r is not None:
                        rows.append(r)
                        at.append(i)
            if rows:
                np.add.at(E, at, self.w.W[rows])
        return E


class _DocScorer:
    """The second stage's weights for ``features.doc_features``."""

    def __init__(self, w: Weights, labels: list[str]) -> None:
        """Weight vectors of the first-stage label features, by label index."""
        self.w = w
        self.s1 = np.array([[w.vec([f"s1{pos}={lab}"]) for lab in labels] for pos in ("", "-1", "+1")])
        self._pooled: dict[tuple, np.ndarray] = {}

    def doc_scores(self, ids: list[int], lens: list[int], paths: list[list[int]], keys: list, types: list[str]) -> np.ndarray:
        """The scores of ``features.doc_features`` for a document, computed from label indices
        and per-key type counts (the same features, without building their strings)."""
        Y = np.fromiter((y for p in paths for y in p), dtype=np.intp, count=len(ids))
        S = self.s1[0][Y]
        starts = np.cumsum([0] + lens[:-1])
        first = np.zeros(len(ids), dtype=bool)
        first[starts] = True
        if len(ids) > 1:
            S[1:] += self.s1[1][Y[:-1]] * ~first[1:, None]
            S[:-1] += self.s1[2][Y[1:]] * ~first[1:, None]
        ylist = Y.tolist()
        tkeys = [keys[k] for k in ids]
        pool: dict[str, dict[str, int]] = {}
        for k, y in zip(tkeys, ylist):
            if k is not None:
                c = pool.setdefault(k, {})
                t = types[y]
                c[t] = c.get(t, 0) + 1
        cache = self._pooled
        rows = []
        vecs = []
        for i, (k, y) in enumerate(zip(tkeys, ylist)):
            if k is None:
                continue
            c = pool[k]
            sig = (tuple(sorted(c.items())), types[y])
            v = cache.get(sig)
            if v is None:
                own = sig[1]
                v = self.w.vec(pooled_features({t: n - (t == own) for t, n in c.items()}))
                cache[sig] = v
            if v is not self.w.zero:
                rows.append(i)
                vecs.append(v)
        if rows:
            S[rows] += np.array(vecs)
        return S


class Model:
    def __init__(self, path: str | Path) -> None:
        from .train import lexicon_path

        self.path = Path(path)
        self.lex = lexmod.load(lexicon_path(self.path))
        self.gaz = Gazetteer(self.lex)
        w1 = Weights.for_model(self.path)
        self.labels = w1.labels
        self.stages = [w1]  # per stage: its weights (transitions in .T)
        p2 = stage2_path(self.path)
        if p2.exists():
            w2 = Weights.for_model(p2)
            if w2.labels != w1.labels:
                raise ValueError(f"{p2}: labels differ from {self.path}")
            self.stages.append(w2)
            self._doc = _DocScorer(w2, self.labels)
        self._scorer = _Scorer(Weights.stacked(self.stages) if len(self.stages) > 1 else w1)
        self.featurizer = Featurizer(self.gaz, frozenset(self._scorer.index))
        self._types = [lab if lab == "O" else lab[2:] for lab in self.labels]
        self._lock = threading.Lock()
        self._reset_cache()

    # --- per-token cache ----------------------------------------------------------------------
    def _reset_cache(self) -> None:
        self._ids: dict[str, int] = {}
        self._infos: list[tuple] = []
        self._keys: list[str | None] = []
        self._scorer.reset()

    def _token_ids(self, tokens: list[str]) -> list[int]:
        ids = self._ids
        out = []
        for t in tokens:
            k = ids.get(t)
            if k is None:
                k = self._add_token(t)
            out.append(k)
        return out

    def _make_room(self, n_tokens: int) -> None:
        """Empty the token cache *between* articles when the next one could overflow it: ids
        handed out earlier in an article must stay valid until it is scored."""
        if len(self._ids) + n_tokens > _TOKEN_CACHE_MAX:
            self._reset_cache()
            self.featurizer._cache.clear()

    def _add_token(self, tok: str) -> int:
        inf = self.featurizer.info(tok)
        k = len(self._ids)
        self._scorer.add(k, inf)
        self._ids[tok] = k
        self._infos.append(inf)
        self._keys.append(doc_key(tok, inf))
        return k

    # --- tagging ------------------------------------------------------------------------------
    def tag_many(self, sentences: list[list[str]], *, stages: int | None = None) -> list[tuple[list[str], list]]:
        """BIO labels and gazetteer phrase matches for each sentence of one document (an
        article); empty sentences give ``([], [])``. ``stages=1`` skips the second stage."""
        sents = [t for t in sentences if t]
        if not sents:
            return [([], []) for _ in sentences]
        with self._lock:  # the token cache is shared
            self._make_room(sum(map(len, sents)))
            ids: list[int] = []
            lens: list[int] = []
            gazs = []
            gfeats = []
            infos = self._infos
            for toks in sents:
                sid = self._token_ids(toks)
                inf = [infos[k] for k in sid]
                gaz = self.gaz.match_keys([x[5] for x in inf], [x[6] for x in inf])
                gazs.append(gaz)
                gfeats.append(gaz_features(gaz, len(toks)) if gaz else None)
                ids += sid
                lens.append(len(toks))
            n_stages = min(stages or len(self.stages), len(self.stages))
            E = self._scorer.emissions(ids, lens, gfeats)  # every stage's scores side by side
            L = len(self.labels)
            paths = viterbi_batch(E[:, :L], lens, self.stages[0].T)
            if n_stages > 1:
                E2 = E[:, L:2 * L] + self._doc.doc_scores(ids, lens, paths, self._keys, self._types)
                paths = viterbi_batch(E2, lens, self.stages[1].T)
        labels = self.labels
        out = []
        it = iter(zip(paths, gazs))
        for toks in sentences:
            if not toks:
                out.append(([], []))
            else:
                p, g = next(it)
                out.append(([labels[y] for y in p], g))
        return out

    def tag(self, tokens: list[str]) -> tuple[list[str], list]:
        """BIO labels for one sentence (a document of its own), and its gazetteer matches."""
        if not tokens:
            return [], []
        return self.tag_many([tokens])[0]


@functools.lru_cache(maxsize=4)
def _load(path: str) -> Model:
    return Model(path)


def load_model(path: str | Path | None = None) -> Model:
    return _load(str(Path(path) if path else default_model_path()))
