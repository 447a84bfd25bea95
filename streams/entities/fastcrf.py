"""A linear-chain CRF scorer and Viterbi decoder in numpy, equivalent to crfsuite's tagger for
the features of :mod:`features`, but batched per article and cached per token type.

crfsuite scores a label sequence as the sum of state weights (attribute, label) over the
attributes of each position plus transition weights (label, next label). Most attributes of a
position depend on one token only (its own features and, as a neighbour, its -2/-1/+1/+2
features), so each distinct token's five weight vectors are summed once and cached; a sentence
then costs a gather, four shifted adds, a few dictionary look-ups (core bigrams, gazetteer phrase
features) and one batched Viterbi pass over all the sentences of an article.

The weights are read from ``<model>.weights.npz`` (written at training time, with the digest of
the crfsuite file; rebuilt from the crfsuite file, slowly, if missing or stale).
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import numpy as np


def weights_path(model_path: str | Path) -> Path:
    return Path(str(model_path) + ".weights.npz")


def model_digest(model_path: str | Path) -> str:
    return hashlib.blake2b(Path(model_path).read_bytes(), digest_size=16).hexdigest()


def _arrays_from_crfsuite(model_path: str | Path) -> dict[str, np.ndarray]:
    import pycrfsuite

    tg = pycrfsuite.Tagger()
    tg.open(str(model_path))
    info = tg.info()
    labels = tg.labels()
    li = {lab: k for k, lab in enumerate(labels)}
    attrs: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for (a, lab), w in info.state_features.items():
        if w == 0.0:
            continue
        r = attrs.setdefault(a, len(attrs))
        rows.append(r)
        cols.append(li[lab])
        vals.append(w)
    W = np.zeros((len(attrs), len(labels)), dtype=np.float64)
    W[rows, cols] = vals
    T = np.zeros((len(labels), len(labels)), dtype=np.float64)
    for (a, b), w in info.transitions.items():
        T[li[a], li[b]] = w
    return {"W": W, "T": T, "labels": np.array("\n".join(labels)),
            "attrs": np.frombuffer("\n".join(attrs).encode("utf-8"), dtype=np.uint8),
            "digest": np.array(model_digest(model_path))}


def export_weights(model_path: str | Path, out: str | Path | None = None) -> Path:
    """Write the state and transition weights of a crfsuite model to a compact ``.npz``
    (with the digest of the model file it comes from)."""
    out = Path(out) if out else weights_path(model_path)
    buf = io.BytesIO()
    np.savez_compressed(buf, **_arrays_from_crfsuite(model_path))
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(buf.getvalue())
    tmp.replace(out)
    return out


class Weights:
    def __init__(self, arrays) -> None:
        self.W = np.asarray(arrays["W"], dtype=np.float64)
        self.T = np.asarray(arrays["T"], dtype=np.float64)
        self.labels = str(arrays["labels"]).split("\n")
        names = bytes(np.asarray(arrays["attrs"])).decode("utf-8")
        self.digest = str(arrays["digest"]) if "digest" in arrays else ""
        self.attrs = names.split("\n") if names else []
        self.index = {a: k for k, a in enumerate(self.attrs)}
        self.L = len(self.labels)
        self.zero = np.zeros(self.L)

    @classmethod
    def for_model(cls, model_path: str | Path) -> Weights:
        """The weights of a crfsuite model: from its ``.weights.npz`` when that matches the
        model file, else read from the model itself (slow) and cached beside it if possible."""
        wp = weights_path(model_path)
        digest = model_digest(model_path)
        if wp.exists():
            with np.load(wp) as z:
                arrays = {k: z[k] for k in z.files}
            if "digest" in arrays and str(arrays["digest"]) == digest:
                return cls(arrays)
        arrays = _arrays_from_crfsuite(model_path)
        try:
            export_weights(model_path, wp)
        except OSError:
            pass
        return cls(arrays)

    @classmethod
    def stacked(cls, ws: list[Weights]) -> Weights:
        """One table for several CRFs over the same labels: attribute -> the CRFs' weight
        vectors side by side (so one pass scores every stage); no transitions."""
        attrs: dict[str, int] = {}
        for w in ws:
            for a in w.attrs:
                attrs.setdefault(a, len(attrs))
        L = ws[0].L
        W = np.zeros((len(attrs), L * len(ws)))
        for s, w in enumerate(ws):
            if w.attrs:
                W[[attrs[a] for a in w.attrs], s * L:(s + 1) * L] = w.W
        out = cls.__new__(cls)
        out.W, out.T, out.labels, out.digest = W, None, ws[0].labels, ""
        out.attrs = list(attrs)
        out.index = attrs
        out.L = W.shape[1]
        out.zero = np.zeros(out.L)
        return out

    def vec(self, attrs) -> np.ndarray:
        idx = [self.index[a] for a in attrs if a in self.index]
        if not idx:
            return self.zero
        if len(idx) == 1:
            return self.W[idx[0]]
        return self.W[idx].sum(axis=0)

    def get(self, attr: str) -> np.ndarray | None:
        k = self.index.get(attr)
        return None if k is None else self.W[k]


def viterbi_batch(E: np.ndarray, seq_lens: list[int], T: np.ndarray) -> list[list[int]]:
    """Best label index sequences for a batch of sequences whose emission scores are
    concatenated in ``E`` (sum(seq_lens) x L), under transitions ``T`` (:class:`Viterbi`)."""
    return Viterbi(T)(E, seq_lens)


class Viterbi:
    """Batched Viterbi decoding under one transition matrix: one pass over the positions for all
    sequences at once (sorted by length, longest first, so the sequences still running at
    position t are a prefix of the batch).

    The arrays are tiny (a dozen sentences x 9 labels), so numpy's per-call overhead is the cost:
    each position is four calls into preallocated buffers (no array is created in the loop):
    the scores laid out (sequence, label, previous label) so the arg max runs along contiguous
    rows, the max gathered at the arg max (the same values as a max reduction, which is several
    times slower here), then the emissions added: the same additions in the same order as
    crfsuite's Viterbi, ``(h[prev] + T[prev, cur]) + E[cur]``, so the same float values. The
    backpointers are read back through a memoryview for the backtracking (no list of them).
    The transition table per batch row and the work buffers are kept between calls (grown to the
    largest batch seen), so one decoder must not be called from two threads at once (the model
    tags under its lock)."""

    def __init__(self, T: np.ndarray) -> None:
        self.T = np.asarray(T, dtype=np.float64)
        self.L = self.T.shape[0]
        self._grow(16)

    def _grow(self, n: int) -> None:
        L = self.L
        self.cap = n
        self.TT = np.ascontiguousarray(np.broadcast_to(self.T.T, (n, L, L)))  # TT[r, cur, prev] = T[prev, cur]
        self.S = np.empty((n, L, L))  # S[r, cur, prev]: score of prev -> cur
        self.at = np.empty((n, L), dtype=np.intp)  # flat index into S of each arg max
        self.rows = (np.arange(n * L) * L).reshape(n, L)  # flat offset of row (r, cur) of S

    def __call__(self, E: np.ndarray, seq_lens: list[int]) -> list[list[int]]:
        if not seq_lens:
            return []
        B = len(seq_lens)
        if B > self.cap:
            self._grow(max(B, 2 * self.cap))
        offs = [0] * B
        for k in range(1, B):
            offs[k] = offs[k - 1] + seq_lens[k - 1]
        order = sorted(range(B), key=lambda k: -seq_lens[k])
        lens = [seq_lens[k] for k in order]
        maxlen = lens[0]
        L = self.L
        X = np.zeros((maxlen, B, L))  # position-major, so X[t, :k] is contiguous
        for r, k in enumerate(order):
            X[: lens[r], r] = E[offs[k]:offs[k] + lens[r]]
        active = [0] * maxlen  # active[t]: how many sequences (a prefix of the batch) reach t
        r = B
        for t in range(maxlen):
            while r > 0 and lens[r - 1] <= t:
                r -= 1
            active[t] = r
        H = X[0].copy()  # H[r, y]: best score of sequence r ending in y at the current position
        back = np.empty((maxlen, B, L), dtype=np.intp)  # back[t, r, y]: best label at t - 1
        last = [0] * B
        add = np.add
        t = 1
        while t < maxlen:  # runs of positions with the same number of running sequences
            k = active[t]
            if k < active[t - 1]:  # sequences that ended at t - 1
                last[k:active[t - 1]] = H[k:active[t - 1]].argmax(axis=1).tolist()
            t1 = t + 1
            while t1 < maxlen and active[t1] == k:
                t1 += 1
            Hk, Sk, Tk, rk, ak, Xk, bk = H[:k], self.S[:k], self.TT[:k], self.rows[:k], self.at[:k], X[:, :k], back[:, :k]
            H3 = Hk[:, None, :]
            take = Sk.take
            for t in range(t, t1):
                add(H3, Tk, out=Sk)
                add(Sk.argmax(axis=2, out=bk[t]), rk, out=ak)
                take(ak, out=Hk, mode="clip")  # valid indices: "clip" only spares numpy a buffer
                add(Hk, Xk[t], out=Hk)
            t = t1
        last[: active[maxlen - 1]] = H[: active[maxlen - 1]].argmax(axis=1).tolist()
        bl = memoryview(back).cast("B").cast("q" if back.itemsize == 8 else "i")  # flat, as Python ints
        BL = B * L
        out: list[list[int]] = [[] for _ in range(B)]
        for r, k in enumerate(order):
            n = lens[r]
            y = last[r]
            path = [y] * n
            at_t = (n - 1) * BL + r * L  # flat index of back[n - 1, r, 0]
            for t in range(n - 1, 0, -1):
                y = bl[at_t + y]
                path[t - 1] = y
                at_t -= BL
            out[k] = path
        return out
