"""General-Arabic word frequencies (Zipf scale) as a CRF feature: a word that is rare in general
Arabic but appears in a name-like context is often a person; a frequent one rarely is.

The table ``data/wordfreq_ar.tsv`` is derived from the ``wordfreq`` package's Arabic list
(Robyn Speer et al.; its data are CC BY-SA 4.0, so is this table): twice the Zipf frequency,
rounded down, of every normalised form (see :func:`normalize.norm`) with Zipf >= 2.
Rebuild it with ``python -m streams.entities.freq`` (needs ``pip install wordfreq==3.1.1``; not
a runtime dependency).
"""

from __future__ import annotations

import functools
import math
from importlib import resources
from pathlib import Path

from .normalize import norm

FILE = "wordfreq_ar.tsv"
MIN_ZIPF = 2.0


@functools.lru_cache(maxsize=1)
def table() -> dict[str, int]:
    """Normalised form -> floor(2 * Zipf). The file has one line per value: the value, a tab and
    the space-separated forms (so loading is a few C-level splits, not 180,000 Python steps)."""
    text = resources.files("streams.entities.data").joinpath(FILE).read_text(encoding="utf-8")
    out: dict[str, int] = {}
    for line in text.splitlines():
        if line.startswith("#") or "\t" not in line:
            continue
        z, _, words = line.partition("\t")
        out.update(dict.fromkeys(words.split(" "), int(z)))
    return out


def bucket(z2: int) -> str:
    """Coarse class of twice the Zipf frequency (0 = below Zipf 2 or unknown)."""
    if z2 <= 0:
        return "0"
    if z2 <= 4:
        return "2"  # Zipf 2-2.5
    if z2 <= 6:
        return "3"  # 2.5-3.5
    if z2 <= 8:
        return "4"  # 3.5-4.5
    if z2 <= 10:
        return "5"
    return "6"


def build(out: Path) -> int:
    import wordfreq

    best: dict[str, float] = {}
    for w, f in wordfreq.get_frequency_dict("ar", "large").items():
        z = math.log10(f) + 9
        k = norm(w)
        if k and not any(c.isspace() for c in k) and z >= MIN_ZIPF and best.get(k, 0.0) < z:
            best[k] = z
    by: dict[int, list[str]] = {}
    for k, z in best.items():
        by.setdefault(int(z * 2), []).append(k)
    with open(out, "w", encoding="utf-8") as f:
        f.write("# derived from wordfreq 3.1.1 (Arabic, 'large'; data CC BY-SA 4.0): floor(2 * Zipf frequency),"
                " a tab, then the normalised forms with that value, space-separated\n")
        for z in sorted(by, reverse=True):
            f.write(f"{z}\t{' '.join(sorted(by[z]))}\n")
    return len(best)


if __name__ == "__main__":
    print(build(Path(str(resources.files("streams.entities.data").joinpath(FILE)))))
