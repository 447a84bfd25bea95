"""General-Arabic word frequencies (Zipf scale) as a CRF feature: a word that is rare in general
Arabic but appears in a name-like context is often a person; a frequent one rarely is.

The table ``data/wordfreq_ar.tsv`` is derived from the ``wordfreq`` package's Arabic list
(Robyn Speer et al.; its data are CC BY-SA 4.0, so is this table): normalised form (see
:func:`normalize.norm`) and twice its Zipf frequency, rounded down, for every form with Zipf >= 2.
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
    text = resources.files("streams.entities.data").joinpath(FILE).read_text(encoding="utf-8")
    out: dict[str, int] = {}
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        w, _, z = line.partition("\t")
        out[w] = int(z)
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
        if k and "\t" not in k and z >= MIN_ZIPF and best.get(k, 0.0) < z:
            best[k] = z
    with open(out, "w", encoding="utf-8") as f:
        f.write(f"# derived from wordfreq 3.1.1 (Arabic, 'large'; data CC BY-SA 4.0): "
                "normalised form, floor(2 * Zipf frequency)\n")
        for k, z in sorted(best.items(), key=lambda kv: (-kv[1], kv[0])):
            f.write(f"{k}\t{int(z * 2)}\n")
    return len(best)


if __name__ == "__main__":
    print(build(Path(str(resources.files("streams.entities.data").joinpath(FILE)))))
