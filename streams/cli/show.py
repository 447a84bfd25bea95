"""Records as a person reads them: one enriched article, and dead letters with their reasons.

The demo ends with this, so the first thing a newcomer sees is the product (the cleaned text,
who and what it names, with Wikidata ids), not only counts.
"""

from __future__ import annotations

import textwrap
from collections import Counter
from typing import Iterable

TYPE_NAMES = {"PER": "people", "ORG": "organisations", "LOC": "places", "MISC": "other names"}
WIDTH = 100


def pick_article(enriched: dict[str, dict], prefer: Iterable[str] = ("seed-0001", "sample-ar-1")) -> dict | None:
    """The reference seed article when it came out, else the first shipped Arabic sample, else the
    Arabic article with most entities."""
    for key in prefer:
        if key in enriched:
            return enriched[key]
    if not enriched:
        return None
    return max(enriched.values(), key=lambda r: (r.get("language") == "ar", len(r.get("entities") or ()), r["id"]))


def render_article(record: dict, paragraphs: int = 3) -> str:
    """Title, where it is from, the first paragraphs of the clean text, entities by type, removals."""
    lines = [record.get("title") or "(no title)"]
    facts = [f"id {record['id']}",
             f"language {record.get('language')} ({record.get('language_confidence', 0):.2f})"]
    facts += [f"{name} {record[key]}" for key, name in (("source", "source"), ("section", "section"),
                                                         ("published_at", "published")) if record.get(key)]
    lines.append(" · ".join(facts))
    if record.get("byline"):
        lines.append(f"by {record['byline']}")
    if record.get("dateline"):
        lines.append(f"dateline: {record['dateline']['text']}")
    lines.append("")
    text = record.get("text") or ""
    paras = [text[start:end] for start, end in record.get("paragraphs") or [(0, len(text))]]
    for para in paras[:paragraphs]:
        lines += textwrap.wrap(para, WIDTH) + [""]
    if len(paras) > paragraphs:
        lines += [f"[... {len(paras) - paragraphs} more paragraph(s), {record.get('word_count', '?')} words in all]", ""]
    entities = record.get("entities") or []
    lines.append(f"Entities ({len(entities)}):" if entities else "Entities: none found")
    by_type: dict[str, list[dict]] = {}
    for entity in entities:
        by_type.setdefault(entity["type"], []).append(entity)
    for kind in sorted(by_type, key=lambda k: (list(TYPE_NAMES).index(k) if k in TYPE_NAMES else 9, k)):
        names = []
        for e in sorted(by_type[kind], key=lambda e: (-e.get("count", 1), e.get("first_start", 0))):
            link = f" [{e['id']}{' ' + e['name'] if e.get('name') else ''}]" if e.get("id") else ""
            count = f" x{e['count']}" if e.get("count", 1) > 1 else ""
            names.append(f"{e['text']}{link}{count}")
        lines += textwrap.wrap(f"{kind:<4} {TYPE_NAMES.get(kind, kind)}: " + "; ".join(names), WIDTH,
                               subsequent_indent=" " * 5)
    removed = Counter(r["reason"] for r in record.get("removed") or ())
    if removed:
        lines.append("Removed by the cleaner: " + ", ".join(f"{k} {v}" for k, v in sorted(removed.items())))
    return "\n".join(lines)


def render_dead_letters(records: Iterable[dict], limit: int = 10) -> str:
    """One line per dead letter: which record, at which stage, why."""
    records = list(records)
    lines = [f"Dead letters ({len(records)}):" if records else "Dead letters: none"]
    for d in sorted(records, key=lambda d: (d.get("reason", ""), str(d.get("article_id"))))[:limit]:
        source = d.get("source") or {}
        where = d.get("article_id") or (
            f"partition {source.get('partition')} offset {source.get('offset')}" if source.get("offset") is not None
            else f"line {source.get('line')}")
        message = d.get("message", "")
        lines.append(f"  {where:<22} {d.get('stage')}/{d.get('reason')}: "
                     f"{message if len(message) <= 80 else message[:77] + '...'}")
    if len(records) > limit:
        lines.append(f"  ... and {len(records) - limit} more")
    return "\n".join(lines)


def render_stories(stories: dict[str, dict], articles: dict[str, dict], top: int = 3) -> str:
    """The story stage's view of a run: how many stories the articles made, how many were near
    copies, and the largest stories with their outlets (``stories``: article id -> ``story``)."""
    members: dict[str, list[str]] = {}
    for aid, story in stories.items():
        members.setdefault(story["id"], []).append(aid)
    multi = sorted((sid for sid, ids in members.items() if len(ids) > 1), key=lambda s: (-len(members[s]), s))
    copies = sum(1 for story in stories.values() if story.get("duplicate_of"))
    lines = [f"Stories: {len(stories)} article(s) in {len(members)} stor{'y' if len(members) == 1 else 'ies'}, "
             f"{len(multi)} with more than one article, {copies} near cop{'y' if copies == 1 else 'ies'}"]
    if len(stories) < len(articles):
        lines[0] += f" ({len(articles) - len(stories)} enriched article(s) had no story record yet)"
    for sid in multi[:top]:
        ids = sorted(members[sid], key=lambda a: (a != sid, a))
        first = articles.get(sid) or articles.get(ids[0]) or {}
        sources = sorted({articles[a]["source"] for a in ids if articles.get(a, {}).get("source")})
        title = first.get("title") or "(no title)"
        lines += textwrap.wrap(f"  {len(ids)} articles: {title}" + (f" ({', '.join(sources)})" if sources else ""),
                               WIDTH, subsequent_indent=" " * 4)
    return "\n".join(lines)
