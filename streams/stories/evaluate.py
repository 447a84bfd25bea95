"""Score story assignment against the labelled pairs in ``evaldata/pairs.tsv``.

The whole corpus is run through :class:`StoryIndex` in published order (as a stream would see
it), then each labelled pair is checked: *same story* when both got the same ``story.id``;
*near copy* when one is linked to the other through ``duplicate_of`` (directly or through a
chain of copies). Over the whole run it also reports the story size distribution.
"""

from __future__ import annotations

import csv
import time
from collections import Counter
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, Iterable

from .index import Assignment, StoryIndex

PAIRS_FILE = "pairs.tsv"


@dataclass(slots=True)
class LabelledPair:
    a: str
    b: str
    same: bool
    near_copy: bool
    hard: str  # "-" or the kind of hard negative
    reason: str
    split: str = "dev"  # "dev": labelled before the rules were tuned on them; "held-out": after


def load_pairs(path: str | None = None) -> list[LabelledPair]:
    """Labelled pairs; rows whose ``same_story`` is ``?`` (undecidable by reading) are skipped."""
    if path is None:
        text = resources.files("streams.stories.evaldata").joinpath(PAIRS_FILE).read_text(encoding="utf-8")
    else:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    out = []
    for row in csv.reader((ln for ln in text.splitlines() if ln and not ln.startswith("#")), delimiter="\t"):
        if row[2] == "?":
            continue
        out.append(LabelledPair(row[0], row[1], row[2] == "1", row[3] == "1", row[4], row[8],
                                row[9] if len(row) > 9 else "dev"))
    return out


@dataclass
class Report:
    pairs: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    copy_tp: int = 0
    copy_fp: int = 0
    copy_fn: int = 0
    hard: int = 0
    hard_merged: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    sizes: Counter = field(default_factory=Counter)
    articles: int = 0
    seconds: float = 0.0
    missing: int = 0
    by_split: dict = field(default_factory=dict)  # split -> [tp, fp, fn]

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.fp)

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.fn)

    @property
    def copy_precision(self) -> float:
        return _ratio(self.copy_tp, self.copy_fp)

    @property
    def copy_recall(self) -> float:
        return _ratio(self.copy_tp, self.copy_fn)

    def lines(self) -> list[str]:
        dist = Counter(self.sizes.values())
        buckets = [(1, 1), (2, 2), (3, 5), (6, 10), (11, 20), (21, 40), (41, 10**9)]
        dist_text = ", ".join(f"{lo if lo == hi else f'{lo}-{hi}' if hi < 10**9 else f'>{lo - 1}'}: "
                              f"{sum(n for s, n in dist.items() if lo <= s <= hi)}" for lo, hi in buckets)
        largest = max(self.sizes.values()) if self.sizes else 0
        out = [
            f"labelled pairs: {self.pairs} ({self.tp + self.fn} same story, {self.hard} hard negatives)"
            + (f"; {self.missing} skipped (article not in input)" if self.missing else ""),
            f"same story:  precision {self.precision:.3f} (target >= 0.90)  recall {self.recall:.3f} (target >= 0.85)"
            f"  [tp {self.tp} fp {self.fp} fn {self.fn}]",
            *(f"  {name}: precision {_ratio(tp, fp):.3f} recall {_ratio(tp, fn):.3f} [tp {tp} fp {fp} fn {fn}]"
              for name, (tp, fp, fn) in sorted(self.by_split.items())),
            f"near copy:   precision {self.copy_precision:.3f} (target >= 0.98)  recall {self.copy_recall:.3f}"
            f"  [tp {self.copy_tp} fp {self.copy_fp} fn {self.copy_fn}]",
            "hard negatives merged: " + (", ".join(f"{k} {v}" for k, v in sorted(self.hard_merged.items())) or "none"),
            f"corpus: {self.articles} articles -> {len(self.sizes)} stories; largest {largest} articles"
            f" (target <= 40); sizes {dist_text}",
            f"story stage: {self.articles / self.seconds:,.0f} articles/s per CPU second"
            " (cold caches, includes feature extraction; bench/bench_stories.py measures it)" if self.seconds else "",
        ]
        return [ln for ln in out + [f"  wrong: {e}" for e in self.errors] if ln]


def _ratio(hits: int, misses: int) -> float:
    return hits / (hits + misses) if hits + misses else 1.0


def run(records: Iterable[dict[str, Any]], index: StoryIndex | None = None) -> dict[str, Assignment]:
    """Assign every record (already in the order to replay) and return id -> assignment."""
    index = index or StoryIndex()
    return {str(r.get("id")): index.assign(r) for r in records}


def published_order(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(records, key=lambda r: (r.get("published_at") or "", str(r.get("id"))))


def evaluate(records: list[dict[str, Any]], pairs: list[LabelledPair], *, verbose: bool = False) -> Report:
    ordered = published_order(records)
    t0 = time.process_time()  # CPU time: a busy machine's other processes do not count
    result = run(ordered)
    rep = Report(articles=len(ordered), seconds=time.process_time() - t0)
    rep.sizes = Counter(a.id for a in result.values())
    copy_group = _copy_groups(result)
    for p in pairs:
        if p.a not in result or p.b not in result:
            rep.missing += 1
            continue
        rep.pairs += 1
        same = result[p.a].id == result[p.b].id
        copy = copy_group(p.a) == copy_group(p.b)
        if p.hard != "-":
            rep.hard += 1
            if same:
                rep.hard_merged[p.hard] += 1
        split = rep.by_split.setdefault(p.split, [0, 0, 0])
        if same and p.same:
            rep.tp += 1
            split[0] += 1
        elif same:
            rep.fp += 1
            split[1] += 1
        elif p.same:
            rep.fn += 1
            split[2] += 1
        if copy and p.near_copy:
            rep.copy_tp += 1
        elif copy:
            rep.copy_fp += 1
        elif p.near_copy:
            rep.copy_fn += 1
        if verbose and (same != p.same or copy != p.near_copy):
            rep.errors.append(f"{p.a} {p.b} labelled same={int(p.same)} copy={int(p.near_copy)}, got"
                              f" same={int(same)} copy={int(copy)}: {p.reason}")
    return rep


def _copy_groups(result: dict[str, Assignment]):
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for aid, a in result.items():
        if a.duplicate_of:
            ra, rb = find(aid), find(a.duplicate_of)
            if ra != rb:
                parent[ra] = rb
    return find
