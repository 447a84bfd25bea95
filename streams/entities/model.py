"""Load the shipped CRF once per process and tag token sequences.

Tagging does not go through crfsuite: the weights are read into numpy (``fastcrf``) and each
distinct token's weight vectors are cached, so an article is scored with a few array operations
and decoded with one batched Viterbi pass (same labels as crfsuite's tagger, several times
faster). Training still uses crfsuite.
"""

from __future__ import annotations

import functools
import threading
from importlib import resources
from pathlib import Path

import numpy as np

from . import lexicon as lexmod
from .fastcrf import Weights, viterbi_batch
from .features import Featurizer, gaz_features
from .gazetteer import Gazetteer

MODEL_NAME = "ner.crfsuite"
_TOKEN_CACHE_MAX = 200_000


def default_model_path() -> Path:
    return Path(str(resources.files("streams.entities").joinpath("models", MODEL_NAME)))


class Model:
    def __init__(self, path: str | Path) -> None:
        from .train import lexicon_path

        self.path = Path(path)
        self.lex = lexmod.load(lexicon_path(self.path))
        self.gaz = Gazetteer(self.lex)
        self.w = Weights.for_model(self.path)
        self.labels = self.w.labels
        self.featurizer = Featurizer(self.gaz, frozenset(self.w.index))
        w = self.w
        self._bos = np.array([w.vec(["BOS"]), w.vec(["BOS2"]), w.vec(["EOS"]), w.vec(["EOS2"])])
        self._g = {a: w.W[k] for a, k in w.index.items() if a.startswith("G=") or a == "Gcont"}
        self._build_bigrams()
        self._lock = threading.Lock()
        self._reset_cache()

    # --- per-token cache ----------------------------------------------------------------------
    def _reset_cache(self) -> None:
        self._ids: dict[str, int] = {}
        self._tv = np.zeros((1024, 5, self.w.L))
        self._bs: list[int] = []  # per token: id of its core in the bigram table, or -1
        self._infos: list[tuple] = []

    def _token_ids(self, tokens: list[str]) -> list[int]:
        ids = self._ids
        out = []
        for t in tokens:
            k = ids.get(t)
            if k is None:
                k = self._add_token(t)
            out.append(k)
        return out

    def _add_token(self, tok: str) -> int:
        if len(self._ids) >= _TOKEN_CACHE_MAX:
            self._reset_cache()
            self.featurizer._cache.clear()
        inf = self.featurizer.info(tok)
        k = len(self._ids)
        if k >= self._tv.shape[0]:
            self._tv = np.concatenate([self._tv, np.zeros_like(self._tv)])
        vec = self.w.vec
        self._tv[k] = (vec(inf[0]), vec(inf[1]), vec(inf[2]), vec(inf[3]), vec(inf[4]))
        self._ids[tok] = k
        self._bs.append(self._bstem.get(inf[7], -1))
        self._infos.append(inf)
        return k

    def _build_bigrams(self) -> None:
        """``bg-=a|b`` / ``bg+=a|b`` weights keyed by integer ids of the cores a and b."""
        w = self.w
        pairs: dict[tuple[str, str], list] = {}
        for attr, k in w.index.items():
            if attr.startswith(("bg-=", "bg+=")):
                body = attr[4:]
                for cut in range(len(body)):  # a core may itself contain "|": try every split
                    if body[cut] != "|":
                        continue
                    pairs.setdefault((body[:cut], body[cut + 1:]), [None, None])[attr[2] == "+"] = w.W[k]
        stems: dict[str, int] = {}
        for a, b in pairs:
            stems.setdefault(a, len(stems))
            stems.setdefault(b, len(stems))
        self._bstem = stems
        self._bigram = {(stems[a], stems[b]): (v[0], v[1]) for (a, b), v in pairs.items()}

    # --- scoring ------------------------------------------------------------------------------
    def _emissions(self, sentences: list[list[str]]) -> tuple[np.ndarray, list[int], list[list]]:
        """Emission scores of all the (non-empty) sentences, concatenated; their lengths; the
        gazetteer matches of each."""
        ids: list[int] = []
        lens: list[int] = []
        for toks in sentences:
            ids += self._token_ids(toks)
            lens.append(len(toks))
        N = len(ids)
        A = self._tv[ids]  # (N, 5, L): own, as -2, as -1, as +1, as +2
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
        bos = self._bos
        E[pos == 0] += bos[0]
        E[pos == 1] += bos[1]
        E[rpos == 0] += bos[2]
        E[rpos == 1] += bos[3]
        bs = self._bs
        bg = self._bigram
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
        g = self._g
        cont = g.get("Gcont")
        infos = self._infos
        gazs = []
        o = 0
        for toks, n in zip(sentences, lens):
            inf = [infos[k] for k in ids[o:o + n]]
            gaz = self.gaz.match_keys([x[5] for x in inf], [x[6] for x in inf])
            gazs.append(gaz)
            if gaz:
                gfeat = gaz_features(gaz, n)
                for i in range(n):
                    s = gfeat[i]
                    if s is not None:
                        v = g.get(s)
                        if v is not None:
                            E[o + i] += v
                        if cont is not None and i + 1 < n and gfeat[i + 1] is not None and gfeat[i + 1].startswith("G=I"):
                            E[o + i] += cont
            o += n
        return E, lens, gazs

    def tag_many(self, sentences: list[list[str]]) -> list[tuple[list[str], list]]:
        """BIO labels and gazetteer phrase matches for each sentence (batched decoding)."""
        sents = [t for t in sentences if t]
        if not sents:
            return [([], []) for _ in sentences]
        with self._lock:  # the token cache is shared
            E, lens, gazs = self._emissions(sents)
            paths = viterbi_batch(E, lens, self.w.T)
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
        """BIO labels for the tokens, and the gazetteer phrase matches found on the way."""
        if not tokens:
            return [], []
        return self.tag_many([tokens])[0]


@functools.lru_cache(maxsize=4)
def _load(path: str) -> Model:
    return Model(path)


def load_model(path: str | Path | None = None) -> Model:
    return _load(str(Path(path) if path else default_model_path()))
