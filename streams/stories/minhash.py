"""MinHash signatures and LSH band keys over word shingles, with stable hashes.

Why not ``datasketch``: its signatures are fine, but its LSH index lives in a Python dict (we
keep ours in Faust tables) and it pulls in SciPy. What we need is ~40 lines of numpy, with two
properties the stream depends on: the hashes are *stable* across processes and machines
(``zlib.crc32`` and fixed permutation seeds, never Python's salted ``hash``), so two workers
compute the same band keys; and the cost is bounded for any input (at most
:data:`MAX_TOKENS` tokens are read, processed in fixed-size column blocks).
"""

from __future__ import annotations

import zlib

import numpy as np

#: Permutations per signature. 128 is common practice (see notes: 5-shingles, 128 perms).
NUM_PERM = 128
#: LSH: ``BANDS`` bands of ``ROWS`` rows; candidate probability 1 - (1 - s^ROWS)^BANDS.
BANDS = 32
ROWS = NUM_PERM // BANDS
#: Words per shingle. 3-word shingles: long enough that shared boilerplate words do not
#: look similar, short enough that a lightly reworded wire copy still shares many.
SHINGLE = 3
#: Longest text read for the signature (words). A 1 MB article costs the same as a long one.
MAX_TOKENS = 20_000
_BLOCK = 4096

_rng = np.random.Generator(np.random.PCG64(20151))
_A = (_rng.integers(1, 2**63 - 1, NUM_PERM, dtype=np.uint64) | np.uint64(1)).reshape(-1, 1)
_B = _rng.integers(0, 2**63 - 1, NUM_PERM, dtype=np.uint64).reshape(-1, 1)
_EMPTY = np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)
_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xC2B2AE3D27D4EB4F)


def token_hashes(tokens: list[str]) -> np.ndarray:
    """Stable 32-bit hash per token (uint64 array)."""
    return np.fromiter(map(zlib.crc32, map(str.encode, tokens[:MAX_TOKENS])), dtype=np.uint64,
                       count=min(len(tokens), MAX_TOKENS))


def shingle_hashes(tok: np.ndarray, size: int = SHINGLE) -> np.ndarray:
    """Hashes of the ``size``-word shingles (fewer words: one shingle of all of them).

    Repeated shingles are kept: a MinHash of a multiset equals the MinHash of its set, and the
    ``np.unique`` that removed them cost as much as the hashing itself.
    """
    if tok.size == 0:
        return tok
    if tok.size < size:
        size = int(tok.size)
    n = tok.size - size + 1
    with np.errstate(over="ignore"):
        h = tok[:n].copy()
        for k in range(1, size):
            h *= _M1
            h += tok[k: n + k] * _M2
            h += np.uint64(k)
    return h


def signature(hashes: np.ndarray) -> np.ndarray:
    """MinHash signature (``NUM_PERM`` uint32) of a set of 64-bit element hashes.

    One (``NUM_PERM`` x block) multiply-add mod 2^64 and a row-wise min per block of
    ``_BLOCK`` shingles, in a reused buffer (no temporaries per block).
    """
    if hashes.size == 0:
        return _EMPTY.copy()
    out = np.full(NUM_PERM, np.iinfo(np.uint64).max, dtype=np.uint64)
    buf = np.empty((NUM_PERM, min(hashes.size, _BLOCK)), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for start in range(0, hashes.size, _BLOCK):
            block = hashes[start: start + _BLOCK]
            part = buf[:, : block.size]
            np.multiply(_A, block, out=part)
            part += _B
            np.minimum(out, part.min(axis=1), out=out)
    return (out >> np.uint64(32)).astype(np.uint32)


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the two shingle sets."""
    return float(np.count_nonzero(a == b)) / NUM_PERM


def band_keys(sig: np.ndarray) -> list[str]:
    """One key per band: ``"<band>:<hex digest of its rows>"``, stable across processes."""
    raw = sig.astype("<u4", copy=False).tobytes().hex()  # little-endian on every machine: same keys everywhere
    width = ROWS * 8
    return [p + raw[i * width:(i + 1) * width] for i, p in enumerate(_BAND_PREFIX)]


_BAND_PREFIX = [f"{i:02d}:" for i in range(BANDS)]
