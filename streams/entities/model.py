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
from collections.abc import Callable
from itertools import chain, compress
import threading
from importlib import resources
from pathlib import Path

import numpy as np

from . import lexicon as lexmod
from .cache import BoundedCache
from .clitics import mention_start
from .fastcrf import Viterbi, Weights
from .features import Featurizer, TokenRows, pooled_features
from .gazetteer import GazEntry, Gazetteer
from .tokencache import TokenCache

MODEL_NAME = "ner.crfsuite"
_SMALL_CACHE = 100_000  # entries of the mention-start and pooled-feature caches


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
        self._gaz_vectors: dict[tuple[str, bool], tuple] = {}  # (type, weak) -> (G=B-, G=I- vectors)
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
        n = self._n_stems = max(1, len(stems))
        # keyed by the pair's ids packed into one integer (a * n + b): looked up for an article's
        # candidate pairs with one map, no tuple per pair
        self.bigram = {stems[a] * n + stems[b]: (v[0], v[1]) for (a, b), v in pairs.items()}

    def fill(self, ks: list[int], infs: list[TokenRows]) -> None:
        """Cache the five weight vectors of new tokens (``Featurizer.rows``) in slots ``ks``:
        one gather and one segmented sum for all of them (each vector sums its features' rows in
        the features' order, as crfsuite does)."""
        rows: list[int] = []
        counts: list[int] = []
        for inf in infs:
            rows += inf.own
            rows += inf.as_prev2
            rows += inf.as_prev
            rows += inf.as_next
            rows += inf.as_next2
            counts += map(len, inf[:5])  # the five feature lists, in slot-vector order
        tv = self.tv
        tv[ks] = 0.0
        if rows:
            n = np.array(counts)
            full = np.flatnonzero(n)  # (token, slot) pairs with features
            starts = (np.cumsum(n) - n)[full]
            at = (np.array(ks) * 5).repeat(5)[full] + full % 5
            tv.reshape(-1, tv.shape[2])[at] = np.add.reduceat(self.w.W[rows], starts, axis=0)
        bstem = self.bstem
        self.bs[ks] = [bstem.get(inf.core, -1) for inf in infs]

    def copy(self, src: list[int], dst: list[int]) -> None:
        self.tv[dst] = self.tv[src]
        self.bs[dst] = self.bs[src]

    def _gaz_vector(self, e: GazEntry) -> tuple[np.ndarray | None, np.ndarray | None]:
        t = e.type + ("w" if e.weak else "")
        v = self._gaz_vectors[(e.type, e.weak)] = (self.g.get(f"G=B-{t}"), self.g.get(f"G=I-{t}"))
        return v

    def emissions(self, ids: np.ndarray, lens: list[int], gazs: list[list]) -> np.ndarray:
        """Emission scores of the concatenated sentences (``lens``) of token ids ``ids``, whose
        gazetteer phrase matches are ``gazs`` (one list per sentence)."""
        n_tok = len(ids)
        vecs = self.tv.take(ids, axis=0)  # (n_tok, 5, n_labels): own, as -2, -1, +1, +2 neighbour; a copy
        scores = vecs[:, 0].copy()
        n = np.array(lens)
        ends = np.add.accumulate(n)
        starts = ends - n
        long = n >= 2
        starts2 = starts[long] + 1  # second and last-but-one tokens of sentences of two or more
        lasts2 = ends[long] - 2
        # a neighbour's vector never crosses a sentence boundary: zero it in the copy where it
        # would (adding 0.0 where the positions were once masked by multiplication: same sums)
        if n_tok > 1:
            vecs[ends - 1, 2] = 0.0
            vecs[starts, 3] = 0.0
            scores[1:] += vecs[:-1, 2]
            scores[:-1] += vecs[1:, 3]
            if n_tok > 2:
                vecs[ends - 1, 1] = 0.0
                vecs[lasts2, 1] = 0.0
                vecs[starts, 4] = 0.0
                vecs[starts2, 4] = 0.0
                scores[2:] += vecs[:-2, 1]
                scores[:-2] += vecs[2:, 4]
        bos = self.bos
        scores[starts] += bos[0]
        scores[starts2] += bos[1]
        scores[ends - 1] += bos[2]
        scores[lasts2] += bos[3]
        at: list[int] = []  # rows and vectors still to add: core bigrams, then gazetteer phrases
        vs: list = []
        if n_tok > 1:
            first = np.zeros(n_tok, dtype=bool)
            first[starts] = True
            cores = self.bs[ids]
            cand = np.flatnonzero((cores[1:] >= 0) & (cores[:-1] >= 0) & ~first[1:]) + 1
            hits = list(map(self.bigram.get, (cores[cand - 1] * self._n_stems + cores[cand]).tolist()))
            for i, v in compress(zip(cand.tolist(), hits), hits):  # the pairs with weights, in order
                if v[0] is not None:
                    at.append(i)
                    vs.append(v[0])
                if v[1] is not None:
                    at.append(i - 1)
                    vs.append(v[1])
        gv = self._gaz_vectors
        cont = self.g.get("Gcont")
        o = 0
        for gaz, m in zip(gazs, lens):
            for i, j, e in gaz:  # gazetteer phrase features (gaz_features): G=B-<type>, G=I-<type>, Gcont
                vb, vi = gv.get((e.type, e.weak)) or self._gaz_vector(e)
                for p in range(i, j):
                    v = vb if p == i else vi
                    if v is not None:
                        at.append(o + p)
                        vs.append(v)
                    if cont is not None and p + 1 < j:  # the next token continues the phrase
                        at.append(o + p)
                        vs.append(cont)
            o += m
        if at:  # one unbuffered add, in the order of the adds one row at a time
            np.add.at(scores, at, np.array(vs))
        return scores


class _DocScorer:
    """The second stage's weights for ``features.doc_features``."""

    def __init__(self, w: Weights, labels: list[str]) -> None:
        """Weight vectors of the first-stage label features, by label index."""
        self.w = w
        self.s1 = np.array([[w.vec([f"s1{pos}={lab}"]) for lab in labels] for pos in ("", "-1", "+1")])
        # (type counts of a key, own type) -> row of _table (its pooled features' weights)
        self._pooled: BoundedCache[object, int] = BoundedCache(_SMALL_CACHE)
        self._table = np.zeros((256, w.L))
        types = [lab if lab == "O" else lab[2:] for lab in labels]
        self._names = sorted(set(types))  # type names; label index -> type index
        self._tid = np.array([self._names.index(t) for t in types], dtype=np.int64)

    def doc_scores(self, ids: np.ndarray, lens: list[int], paths: list[list[int]],
                   doc_key_number: np.ndarray) -> np.ndarray:
        """The scores of ``features.doc_features`` for a document, computed from label indices
        and per-key type counts (the same features, without building their strings).
        ``doc_key_number``: per token slot, a number for its ``doc_key`` (the same for the same key within a
        document), or -1. The pooled features' vector is looked up once per distinct (key, own
        type) of the document, by its type counts packed into one integer."""
        labels_idx = np.fromiter(chain.from_iterable(paths), dtype=np.intp, count=len(ids))
        scores = self.s1[0][labels_idx]
        starts = np.add.accumulate([0] + lens[:-1])
        first = np.zeros(len(ids), dtype=bool)
        first[starts] = True
        if len(ids) > 1:
            scores[1:] += self.s1[1][labels_idx[:-1]] * ~first[1:, None]
            scores[:-1] += self.s1[2][labels_idx[1:]] * ~first[1:, None]
        names = self._names
        nt = len(names)
        key_no = doc_key_number[ids]
        at = np.flatnonzero(key_no >= 0)
        if not len(at):
            return scores
        own = self._tid[labels_idx[at]]
        u, inv = _unique_inverse(key_no[at] * nt + own)  # distinct (key, own type)
        ukinv = _sorted_inverse(u // nt)  # per distinct (key, own type): the number of its key
        ut = u % nt
        counts = np.zeros((int(ukinv[-1]) + 1, nt), dtype=np.int64)
        counts[ukinv, ut] = np.bincount(inv, minlength=len(u))  # per key, its tokens per type
        rows = counts[ukinv]  # per (key, own type): the key's type counts
        if rows.max() < 1 << 11:
            sigs = ((rows << (11 * np.arange(nt))).sum(axis=1) * nt + ut).tolist()
        else:  # a key seen 2,048 times or more: tuples
            sigs = [(tuple(r), o) for r, o in zip(rows.tolist(), ut.tolist())]
        cache = self._pooled
        cache.make_room(len(sigs))  # rows handed out below stay valid for this document
        at_vec = list(map(cache.get, sigs))
        if None in at_vec:
            for i, (sig, r, o) in enumerate(zip(sigs, rows.tolist(), ut.tolist())):
                if at_vec[i] is None:
                    v = cache.get(sig)
                    if v is None:
                        v = cache[sig] = len(cache)  # the next free row (make_room above: no clearing here)
                        if v >= len(self._table):
                            self._table = np.concatenate([self._table, np.zeros_like(self._table)])
                        self._table[v] = self.w.vec(pooled_features({names[t]: n - (t == o) for t, n in enumerate(r) if n}))
                    at_vec[i] = v
        scores[at] += self._table[at_vec][inv]
        return scores


def _firsts_of_runs(s: np.ndarray) -> np.ndarray:
    """Where a sorted array's values change (True at each run's first element)."""
    new = np.empty(len(s), dtype=bool)
    new[:1] = True
    np.not_equal(s[1:], s[:-1], out=new[1:])
    return new


def _sorted_inverse(s: np.ndarray) -> np.ndarray:
    """``np.unique(s, return_inverse=True)[1]`` of a sorted array (without np.unique's overhead,
    which is most of its cost on an article's few hundred values)."""
    return np.add.accumulate(_firsts_of_runs(s), dtype=np.intp) - 1


def _unique_inverse(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(x, return_inverse=True)`` of a 1-d integer array: the sorted distinct values
    and, per value of ``x``, the index of its value among them."""
    order = x.argsort(kind="stable")
    s = x[order]
    new = _firsts_of_runs(s)
    inv = np.empty(len(x), dtype=np.intp)
    inv[order] = np.add.accumulate(new, dtype=np.intp) - 1
    return s[new], inv


class Model:
    """The CRF stages, their gazetteer and featurizer, and the per-token cache they tag from."""

    def __init__(self, path: str | Path, *, curated_people: bool = True) -> None:
        """``curated_people=False``: the gazetteer without the curated people list
        (:class:`gazetteer.Gazetteer`), for scoring the model's own recall of people."""
        self.path = Path(path)
        self.lex = lexmod.load(lexmod.lexicon_path(self.path))
        self.gaz = Gazetteer(self.lex, curated_people=curated_people)
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
        self._decoders = [Viterbi(w.T) for w in self.stages]  # used under self._lock (their buffers)
        self.featurizer = Featurizer(self.gaz, index=self._scorer.index)
        self._lock = threading.Lock()  # the token cache is shared by the threads of a process
        self._mention_starts: BoundedCache[str, int] = BoundedCache(_SMALL_CACHE)
        self.tokens = TokenCache(self.featurizer, self._scorer)
        #: ``token_keys(tok)``: (key_first, key_inner) of a token (those of ``Featurizer.info``),
        #: from the featurizer's bounded key cache: a pure function of the token, so no lock (the
        #: rules ask it for tens of tokens per sentence; the token cache's copy needs the lock)
        self.token_keys: Callable[[str], tuple[str, str]] = self.featurizer.keys

    def reset_caches(self) -> None:
        """Empty every per-token cache (evaluation starts cold, as a fresh worker does)."""
        with self._lock:
            self.tokens.reset()
            self.featurizer.clear_caches()

    def mention_start(self, tok: str) -> int:
        """``clitics.mention_start`` with this model's lexicon, cached (bounded)."""
        k = self._mention_starts.get(tok)
        if k is None:
            k = self._mention_starts.put(tok, mention_start(tok, self.lex))
        return k

    # --- tagging ------------------------------------------------------------------------------
    def tag_many(self, sentences: list[list[str]], *, stages: int | None = None) -> list[tuple[list[str], list]]:
        """BIO labels and gazetteer phrase matches for each sentence of one document (an
        article); empty sentences give ``([], [])``. ``stages=1`` skips the second stage."""
        sents = [t for t in sentences if t]
        if not sents:
            return [([], []) for _ in sentences]
        with self._lock:  # the token cache is shared
            cache = self.tokens
            cache.make_room(sum(map(len, sents)))
            ids = cache.assign(list(chain.from_iterable(sents)))
            lens = list(map(len, sents))
            ids_a = np.array(ids, dtype=np.intp)  # converted once for the gathers below
            gazs = self.gaz.match_many(list(map(cache.key_first.__getitem__, ids)),
                                       list(map(cache.key_inner.__getitem__, ids)), lens,
                                       np.flatnonzero(cache.may_start[ids_a]).tolist())
            n_stages = min(stages or len(self.stages), len(self.stages))
            emissions = self._scorer.emissions(ids_a, lens, gazs)  # every stage's scores side by side
            n_labels = len(self.labels)
            paths = self._decoders[0](emissions[:, :n_labels], lens)
            if n_stages > 1:
                emissions2 = emissions[:, n_labels:2 * n_labels] + self._doc.doc_scores(
                    ids_a, lens, paths, cache.doc_key_number)
                paths = self._decoders[1](emissions2, lens)
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
def _load(path: str, curated_people: bool = True) -> Model:
    return Model(path, curated_people=curated_people)


def load_model(path: str | Path | None = None, *, curated_people: bool = True) -> Model:
    """The model at ``path`` (default: the packaged one), loaded once per process and option."""
    return _load(str(Path(path) if path else default_model_path()), curated_people)
