"""One entity, one record: group an article's mentions into entities.

Mentions are grouped, in this order of evidence:

1. the same gazetteer identity (QID, or the same curated entry): ``الناتو`` / ``حلف شمال
   الأطلسي`` / ``حلف الأطلسي``;
2. the same spelling-insensitive key (:func:`normalize.skeleton` per token, article dropped):
   ``مورغان أورتاغوس`` / ``مورجان أورتاجوس``, ``العراق`` / ``عراق`` (from ``للعراق``);
3. for people, a shorter name that is the tail (or a contiguous part) of exactly one longer
   name: ``بومبيو`` -> ``مايك بومبيو``, ``أورتاغوس`` -> ``مورغان أورتاغوس``.

The entity's type is the linked gazetteer type, else the majority of its mentions' types; its
representative text is its longest mention.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ..records import Entity, Mention
from .gazetteer import GazEntry


@dataclass(slots=True)
class Found:
    field: str
    start: int
    end: int
    text: str
    type: str
    key: tuple[str, ...]
    entry: GazEntry | None = None
    order: int = 0
    source: str = "model"  # model, gazetteer (a gazetteer hit the model did not propose), rule:...


@dataclass(slots=True)
class _Group:
    items: list[Found] = field(default_factory=list)
    entry: GazEntry | None = None

    @property
    def key(self) -> tuple[str, ...]:
        items = self.items
        return items[0].key if len(items) == 1 else max((f.key for f in items), key=len)

    def type(self) -> str:
        if self.entry is not None and not self.entry.weak:
            return self.entry.type
        if len(self.items) == 1:  # most entities are mentioned once
            return self.items[0].type
        c = Counter(f.type for f in self.items)
        best = max(c.values())
        for f in self.items:  # ties: the earliest mention's type
            if c[f.type] == best:
                return f.type
        return self.items[0].type


def _contains(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    n, m = len(longer), len(shorter)
    if m >= n:
        return False
    return any(longer[k : k + m] == shorter for k in range(n - m + 1))


def merge(found: list[Found]) -> list[Entity]:
    groups: list[_Group] = []
    by_ident: dict[object, _Group] = {}
    by_key: dict[tuple[str, ...], _Group] = {}
    for f in sorted(found, key=lambda f: f.order):
        ident = None
        if f.entry is not None:
            ident = f.entry.id or (f.entry.name, f.entry.type)
        g = (by_ident.get(ident) if ident is not None else None) or by_key.get(f.key)
        if g is None:
            g = _Group()
            groups.append(g)
        g.items.append(f)
        if f.entry is not None and (g.entry is None or (g.entry.weak and not f.entry.weak)):
            g.entry = f.entry
        if ident is not None:
            by_ident.setdefault(ident, g)
        by_key.setdefault(f.key, g)

    # people: surname / partial name -> the unique longer name that contains it (a group's key
    # never changes below: only shorter keys join it)
    persons = [(g, g.key) for g in groups if g.type() == "PER"]
    merged: set[int] = set()
    for g, k in sorted(persons, key=lambda gk: len(gk[1])):
        if id(g) in merged or (g.entry is not None and g.entry.id):
            continue
        m = len(k)
        cands = [h for h, hk in persons if len(hk) > m and h is not g and id(h) not in merged and _contains(hk, k)]
        if len(cands) != 1:
            tails = [h for h in cands if h.key[-m:] == k]
            cands = tails if len(tails) == 1 else []
        if len(cands) == 1:
            h = cands[0]
            h.items.extend(g.items)
            if h.entry is None:
                h.entry = g.entry
            merged.add(id(g))
    groups = [g for g in groups if id(g) not in merged]

    out: list[Entity] = []
    for g in groups:
        items = sorted(g.items, key=lambda f: f.order)
        rep = max(items, key=lambda f: (len(f.key), len(f.text), -f.order))
        first = items[0]
        e = g.entry
        out.append(
            Entity(
                type=g.type(),
                text=rep.text,
                mentions=[Mention(start=f.start, end=f.end, text=f.text, field=f.field) for f in items],  # type: ignore[arg-type]
                count=len(items),
                id=e.id if e is not None else None,
                name=e.name if e is not None else None,
                first_field=first.field,  # type: ignore[arg-type]
                first_start=first.start,
                in_title=any(f.field == "title" for f in items),
            )
        )
    out.sort(key=lambda en: (en.first_field != "title", en.first_start))
    return out
