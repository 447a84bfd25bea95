"""The word-frequency lexicon that guides clitic splitting.

Built from the training corpus (normalised whole tokens, ANERcorp: CC BY-SA 4.0) plus every
token of the curated gazetteers, and shipped beside the model as ``<model>.lexicon.tsv``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from .normalize import norm

GAZ_WEIGHT = 5


def build(sentences: Iterable[list[str]], min_count: int = 2) -> dict[str, int]:
    c: Counter[str] = Counter()
    for toks in sentences:
        c.update(norm(t) for t in toks)
    lex = {w: n for w, n in c.items() if n >= min_count and w}
    return lex


def with_gazetteer(lex: dict[str, int]) -> dict[str, int]:
    from .gazetteer import alias_tokens, cldr_tokens

    out = dict(lex)
    for t in [*alias_tokens(), *cldr_tokens()]:
        w = norm(t)
        out[w] = out.get(w, 0) + GAZ_WEIGHT
    return out


def lexicon_path(model_path: str | Path) -> Path:
    """Where a model's lexicon lives: beside it, as ``<model>.lexicon.tsv``."""
    return Path(str(model_path) + ".lexicon.tsv")


def save(lex: dict[str, int], path: Path) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write("# word frequencies from the NER training corpus (ANERcorp, CC BY-SA 4.0)\n")
        for w, n in sorted(lex.items(), key=lambda kv: (-kv[1], kv[0])):
            if "\t" not in w and "\n" not in w:
                f.write(f"{w}\t{n}\n")


def load(path: Path) -> dict[str, int]:
    lex: dict[str, int] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            w, _, n = line.rstrip("\n").partition("\t")
            if w and n.isdigit():
                lex[w] = int(n)
    return lex
