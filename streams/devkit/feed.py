"""Read articles from files as a scraper would publish them: JSON Lines, JSON, or ``.txt``.

The reader does not judge records (that is the pipeline's job): valid JSON is passed on
byte-for-byte, lines that are not JSON are reported with file and line number, and with
``as_is`` every line's bytes go out unchanged so poison records can be fed on purpose.
"""

from __future__ import annotations

import hashlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import orjson


@dataclass(slots=True)
class InputRecord:
    file: str
    line: int  # 1-based line number (JSON Lines, .txt) or element number (JSON arrays)
    payload: bytes  # what goes on the wire
    key: bytes | None  # the article id, when the record has one
    error: str | None = None  # set when the line is not valid JSON (payload is the raw line)


def read_inputs(paths: list[str], *, as_is: bool = False) -> Iterator[InputRecord]:
    for path in paths:
        if path == "-":
            yield from _read_jsonl("<stdin>", sys.stdin.buffer, as_is=as_is)
            continue
        p = Path(path)
        suffix = p.suffix.lower()
        if suffix == ".txt":
            yield _read_txt(p)
        elif suffix == ".json" and not as_is:
            yield from _read_json(p)
        else:
            with p.open("rb") as fh:
                yield from _read_jsonl(str(p), fh, as_is=as_is)


def _read_jsonl(name: str, fh, *, as_is: bool) -> Iterator[InputRecord]:
    for number, line in enumerate(fh, 1):
        line = line.rstrip(b"\r\n")
        if not as_is and not line.strip():
            continue
        if as_is:
            yield InputRecord(name, number, line, _id_of(line))
            continue
        try:
            orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            yield InputRecord(name, number, line, None, error=f"not valid JSON: {exc}")
            continue
        yield InputRecord(name, number, line, _id_of(line))


def _read_json(path: Path) -> Iterator[InputRecord]:
    data = path.read_bytes()
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        yield InputRecord(str(path), 1, data, None, error=f"not valid JSON: {exc}")
        return
    items = doc if isinstance(doc, list) else [doc]
    for number, item in enumerate(items, 1):
        payload = orjson.dumps(item)
        yield InputRecord(str(path), number, payload, _id_of(payload))


_BLOCKS = re.compile(r"\n[ \t]*\n")


def parse_txt_article(text: str, article_id: str) -> dict[str, str | None]:
    """A plain article: first line the section, then the title, then the body (caption first).

    Blocks are separated by blank lines; the body is kept as it stands (the cleaner deals with
    captions, teasers and odd whitespace).
    """
    text = text.replace("\r\n", "\n").lstrip("\ufeff")
    blocks = [b for b in _BLOCKS.split(text.strip("\n"), maxsplit=2)]
    section = blocks[0].strip() if len(blocks) > 2 else None
    title = blocks[1].strip() if len(blocks) > 2 else (blocks[0].strip() if len(blocks) == 2 else None)
    body = blocks[-1] if blocks else ""
    return {"id": article_id, "section": section or None, "title": title or None, "body": body}


def _read_txt(path: Path) -> InputRecord:
    raw = path.read_bytes()
    text = raw.decode("utf-8", "replace")
    article_id = f"{path.stem}-{hashlib.sha1(raw).hexdigest()[:10]}"
    record = parse_txt_article(text, article_id)
    payload = orjson.dumps(record)
    return InputRecord(str(path), 1, payload, article_id.encode())


def _id_of(payload: bytes) -> bytes | None:
    try:
        data = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return None
    if isinstance(data, dict) and isinstance(data.get("id"), str) and data["id"]:
        return data["id"].encode("utf-8")
    return None
