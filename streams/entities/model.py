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
from itertools import chain
import threading
from importlib import resources
from pathlib import Path

import numpy as np

from . import lexicon as lexmod
from .clitics import mention_start
from .fastcrf import Weights, viterbi_batch
from .features import Featurizer, doc_key, gaz_features, pooled_features
from .gazetteer import Gazetteer

MODEL_NAME = "ner.crfsuite"
_TOKEN_CACHE_MAX = 65_536  # tokens per generation (two generations): ~0.9 KB each (5 x 18 float64 + keys)


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
        self.reset(1024)

    def reset(self, n: int) -> None:
        """Room for ``n`` cached tokens (slots), all empty."""
        self.tv = np.zeros((n, 5, self.w.L))
        self.bs = np.full(n, -1, dtype=np.intp)  # per slot: id of its core in the bigram table, or -1

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

    def fill(self, ks: list[int], infs: list[tuple]) -> None:
        """Cache the five weight vectors of new tokens (``Featurizer.compute``) in slots ``ks``:
        one gather and one segmented sum for all of them (each vector sums its features' rows in
        the features' order, as crfsuite does)."""
        feats: list[str] = []
        counts: list[int] = []
        for inf in infs:
            feats += inf[0]
            feats += inf[1]
            feats += inf[2]
            feats += inf[3]
            feats += inf[4]
            counts += map(len, inf[:5])
        tv = self.tv
        tv[ks] = 0.0
        if feats:
            rows = list(map(self.index.__getitem__, feats))  # every feature is known (Featurizer(known=...))
            n = np.array(counts)
            full = np.flatnonzero(n)  # (token, slot) pairs with features
            starts = (np.cumsum(n) - n)[full]
            at = (np.array(ks) * 5).repeat(5)[full] + full % 5
            tv.reshape(-1, tv.shape[2])[at] = np.add.reduceat(self.w.W[rows], starts, axis=0)
        bstem = self.bstem
        self.bs[ks] = [bstem.get(inf[7], -1) for inf in infs]

    def copy(self, src: list[int], dst: list[int]) -> None:
        self.tv[dst] = self.tv[src]
        self.bs[dst] = self.bs[src]

    def emissions(self, ids: list[int], lens: list[int], gfeats: list[list], extra: list[list[str]] | None = None) -> np.ndarray:
        """Emission scores of the concatenated sentences (``lens``) of token ids ``ids``."""
        N = len(ids)
        A = self.tv.take(ids, axis=0)  # (N, 5, L), a copy
        E = A[:, 0].copy()
        n = np.array(lens)
        ends = np.cumsum(n)
        starts = ends - n
        long = n >= 2
        starts2 = starts[long] + 1  # second and last-but-one tokens of sentences of two or more
        lasts2 = ends[long] - 2
        # a neighbour's vector never crosses a sentence boundary: zero it in the copy where it
        # would (adding 0.0 where the positions were once masked by multiplication: same sums)
        if N > 1:
            A[ends - 1, 2] = 0.0
            A[starts, 3] = 0.0
            E[1:] += A[:-1, 2]
            E[:-1] += A[1:, 3]
            if N > 2:
                A[ends - 1, 1] = 0.0
                A[lasts2, 1] = 0.0
                A[starts, 4] = 0.0
                A[starts2, 4] = 0.0
                E[2:] += A[:-2, 1]
                E[:-2] += A[2:, 4]
        bos = self.bos
        E[starts] += bos[0]
        E[starts2] += bos[1]
        E[ends - 1] += bos[2]
        E[lasts2] += bos[3]
        if N > 1:
            first = np.zeros(N, dtype=bool)
            first[starts] = True
            B = self.bs[ids]
            cand = np.flatnonzero((B[1:] >= 0) & (B[:-1] >= 0) & ~first[1:]) + 1
            bg = self.bigram
            at: list[int] = []
            vs: list = []
            for i, a, b in zip(cand.tolist(), B[cand - 1].tolist(), B[cand].tolist()):
                v = bg.get((a, b))
                if v is not None:
                    if v[0] is not None:
                        at.append(i)
                        vs.append(v[0])
                    if v[1] is not None:
                        at.append(i - 1)
                        vs.append(v[1])
            if at:  # one unbuffered add in the same order as one row at a time
                np.add.at(E, at, np.array(vs))
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
        self._pooled: dict = {}  # (type counts of a key, own type) -> row of _table (its pooled features' weights)
        self._table = np.zeros((256, w.L))
        types = [lab if lab == "O" else lab[2:] for lab in labels]
        self._names = sorted(set(types))  # type names; label index -> type index
        self._tid = np.array([self._names.index(t) for t in types], dtype=np.int64)

    def doc_scores(self, ids: list[int], lens: list[int], paths: list[list[int]], kid: np.ndarray) -> np.ndarray:
        """The scores of ``features.doc_features`` for a document, computed from label indices
        and per-key type counts (the same features, without building their strings). ``kid``:
        per token slot, a number for its ``doc_key`` (the same for the same key within a
        document), or -1. The pooled features' vector is looked up once per distinct (key, own
        type) of the document, by its type counts packed into one integer."""
        Y = np.fromiter(chain.from_iterable(paths), dtype=np.intp, count=len(ids))
        S = self.s1[0][Y]
        starts = np.cumsum([0] + lens[:-1])
        first = np.zeros(len(ids), dtype=bool)
        first[starts] = True
        if len(ids) > 1:
            S[1:] += self.s1[1][Y[:-1]] * ~first[1:, None]
            S[:-1] += self.s1[2][Y[1:]] * ~first[1:, None]
        names = self._names
        nt = len(names)
        K = kid[ids]
        at = np.flatnonzero(K >= 0)
        if not len(at):
            return S
        own = self._tid[Y[at]]
        u, inv = np.unique(K[at] * nt + own, return_inverse=True)  # distinct (key, own type)
        uk, ukinv = np.unique(u // nt, return_inverse=True)
        ut = u % nt
        counts = np.zeros((len(uk), nt), dtype=np.int64)
        counts[ukinv, ut] = np.bincount(inv.reshape(-1), minlength=len(u))  # per key, its tokens per type
        rows = counts[ukinv]  # per (key, own type): the key's type counts
        if rows.max() < 1 << 11:
            sigs = ((rows << (11 * np.arange(nt))).sum(axis=1) * nt + ut).tolist()
        else:  # a key seen 2,048 times or more: tuples
            sigs = [(tuple(r), o) for r, o in zip(rows.tolist(), ut.tolist())]
        cache = self._pooled
        if len(cache) + len(sigs) > 100_000:
            cache.clear()
        at_vec = list(map(cache.get, sigs))
        if None in at_vec:
            for i, (sig, r, o) in enumerate(zip(sigs, rows.tolist(), ut.tolist())):
                if at_vec[i] is None:
                    v = cache.get(sig)
                    if v is None:
                        v = cache[sig] = len(cache)
                        if v >= len(self._table):
                            self._table = np.concatenate([self._table, np.zeros_like(self._table)])
                        self._table[v] = self.w.vec(pooled_features({names[t]: n - (t == o) for t, n in enumerate(r) if n}))
                    at_vec[i] = v
        S[at] += self._table[at_vec][inv.reshape(-1)]
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
        self._lock = threading.Lock()
        self._mention_starts: dict[str, int] = {}
        self._reset_cache()

    # --- per-token cache ----------------------------------------------------------------------
    # Two generations of at most _TOKEN_CACHE_MAX tokens each, in the two halves of one slot
    # table: when the current generation could overflow, it becomes the old one (the previous old
    # one is dropped) and a token met again is copied back into the current one. Frequent words
    # stay cached forever, rare ones go, and memory is bounded on an endless stream.
    def _reset_cache(self, cap: int | None = None) -> None:
        self._bound = _TOKEN_CACHE_MAX
        cap = max(1, cap or self._bound)
        self._cap = cap
        self._ids: dict[str, int] = {}  # current generation: token -> slot
        self._old: dict[str, int] = {}  # previous generation
        self._base = 0  # first slot of the current generation's half
        self._kf: list[str] = [""] * (2 * cap)  # per slot: key_first, key_inner, doc_key
        self._ki: list[str] = [""] * (2 * cap)
        self._keys: list[str | None] = [None] * (2 * cap)
        self._kid = np.full(2 * cap, -1, dtype=np.int64)  # per slot: number of its doc_key (see _fill), or -1
        self._kmap: dict[str, int] = {}  # the current generation's doc_key -> number
        self._knext = 0
        self._scorer.reset(2 * cap)

    def _make_room(self, n_tokens: int) -> None:
        """Start a new generation *between* articles when the next one could overflow the
        current one: slots handed out earlier in an article must stay valid until it is scored."""
        if self._bound != _TOKEN_CACHE_MAX:  # the bound was changed (tests)
            self._reset_cache()
        if len(self._ids) + n_tokens <= self._cap:
            return
        if n_tokens > self._cap or self._cap != self._bound:  # a huge article; or back to the bound after one
            self._reset_cache(max(self._bound, n_tokens))
            return
        self._old = self._ids
        self._kmap = {}
        self._ids = {}
        self._base = self._cap - self._base

    def _token_ids(self, tokens: list[str], new: list, moved: list) -> list[int]:
        """Slots of ``tokens``; tokens seen for the first time go to ``new`` (token, slot),
        tokens of the old generation to ``moved`` (old slot, slot). Fill them before use."""
        ids = self._ids
        out = list(map(ids.get, tokens))
        if None in out:
            old = self._old
            i = -1
            index = out.index
            try:
                while True:
                    i = index(None, i + 1)
                    t = tokens[i]
                    k = ids.get(t)  # the same new token earlier in the document
                    if k is None:
                        k = ids[t] = self._base + len(ids)
                        j = old.get(t)
                        if j is None:
                            new.append((t, k))
                        else:
                            moved.append((j, k))
                    out[i] = k
            except ValueError:  # no None left
                pass
        return out

    def _fill(self, new: list, moved: list) -> None:
        """Weights and keys of the new and moved slots of a document. Doc keys are numbered
        (``_kid``) through the current generation's map: a moved token keeps its number unless
        its key was numbered again first, so within a generation one key has one number."""
        kf, ki, keys, kid, kmap = self._kf, self._ki, self._keys, self._kid, self._kmap
        if moved:
            src = [j for j, _ in moved]
            dst = [k for _, k in moved]
            self._scorer.copy(src, dst)
            for j, k in moved:
                kf[k] = kf[j]
                ki[k] = ki[j]
                key = keys[k] = keys[j]
                if key is not None:
                    n = kmap.get(key)
                    kid[k] = kmap[key] = kid[j] if n is None else n
                else:
                    kid[k] = -1
        if new:
            compute = self.featurizer.compute
            infs = [compute(t) for t, _ in new]
            ks = [k for _, k in new]
            self._scorer.fill(ks, infs)
            for (t, k), inf in zip(new, infs):
                kf[k] = inf[5]
                ki[k] = inf[6]
                key = keys[k] = doc_key(t, inf)
                if key is not None:
                    n = kmap.get(key)
                    if n is None:
                        n = kmap[key] = self._knext
                        self._knext += 1
                    kid[k] = n
                else:
                    kid[k] = -1

    def mention_start(self, tok: str) -> int:
        """``clitics.mention_start`` with this model's lexicon, cached (bounded)."""
        cache = self._mention_starts
        k = cache.get(tok)
        if k is None:
            if len(cache) > 100_000:
                cache.clear()
            k = cache[tok] = mention_start(tok, self.lex)
        return k

    def token_keys(self, tok: str) -> tuple[str, str]:
        """(key_first, key_inner) of a token (``Featurizer.info(tok)[5:7]``)."""
        with self._lock:
            k = self._ids.get(tok)
            if k is None:
                k = self._old.get(tok)
            if k is not None:
                return self._kf[k], self._ki[k]
        return self.featurizer.keys(tok)

    # --- tagging ------------------------------------------------------------------------------
    def tag_many(self, sentences: list[list[str]], *, stages: int | None = None) -> list[tuple[list[str], list]]:
        """BIO labels and gazetteer phrase matches for each sentence of one document (an
        article); empty sentences give ``([], [])``. ``stages=1`` skips the second stage."""
        sents = [t for t in sentences if t]
        if not sents:
            return [([], []) for _ in sentences]
        with self._lock:  # the token cache is shared
            self._make_room(sum(map(len, sents)))
            new: list = []
            moved: list = []
            ids = self._token_ids([t for toks in sents for t in toks], new, moved)
            self._fill(new, moved)
            lens = [len(toks) for toks in sents]
            gazs = []
            gfeats = []
            kfs = list(map(self._kf.__getitem__, ids))
            kis = list(map(self._ki.__getitem__, ids))
            o = 0
            for n in lens:
                gaz = self.gaz.match_keys(kfs[o:o + n], kis[o:o + n])
                gazs.append(gaz)
                gfeats.append(gaz_features(gaz, n) if gaz else None)
                o += n
            n_stages = min(stages or len(self.stages), len(self.stages))
            E = self._scorer.emissions(ids, lens, gfeats)  # every stage's scores side by side
            L = len(self.labels)
            paths = viterbi_batch(E[:, :L], lens, self.stages[0].T)
            if n_stages > 1:
                E2 = E[:, L:2 * L] + self._doc.doc_scores(ids, lens, paths, self._kid)
                paths = viterbi_batch(E2, lens, self.stages[1].T)
        labels = self.labels
        out = []
        it = iter(zip(paths, gazs))
        for toks in sentences:
            if not toks:
                out.append(([], []))
            else:
                p, g = next(it)
                out.append((list(map(labels.__getitem__, p)), g))
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
