"""Reading the NER corpora: CoNLL files of ``token TAG`` lines (IOB2), a blank line between
sentences, cut into pseudo-documents (ANERcorp has no document marks)."""

from __future__ import annotations

from pathlib import Path

TAG_MAP = {"PERS": "PER"}
DOC_SENTENCES = 16  # ANERcorp has no document marks: blocks of consecutive sentences stand in


def read_conll(path: str | Path, max_sentences: int | None = None) -> list[tuple[list[str], list[str]]]:
    """``token TAG`` lines, blank line between sentences; PERS is renamed PER."""
    out: list[tuple[list[str], list[str]]] = []
    toks: list[str] = []
    tags: list[str] = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                if toks:
                    out.append((toks, tags))
                    toks, tags = [], []
                    if max_sentences is not None and len(out) >= max_sentences:
                        return out
                continue
            tok, _, tag = line.rpartition(" ")
            if not tok:
                tok, tag = tag, "O"
            if tag != "O" and "-" in tag:
                pre, typ = tag.split("-", 1)
                tag = f"{pre}-{TAG_MAP.get(typ, typ)}"
            toks.append(tok)
            tags.append(tag)
    if toks:
        out.append((toks, tags))
    return out


def documents(n: int, size: int = DOC_SENTENCES) -> list[range]:
    """``n`` sentences in corpus order, as blocks of ``size`` consecutive ones."""
    return [range(a, min(n, a + size)) for a in range(0, n, size)]
