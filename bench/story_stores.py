"""The story index's five tables on RocksDB the way a worker keeps them, without a broker.

With ``NEWS_STORY_STORE=rocksdb://`` a worker's Faust tables (``stories-articles``, ``-stories``,
``-keys``, ``-meta``, ``-buckets``; one partition each) live in one ``rocksdict`` database per
table partition, opened by Faust's own ``RocksDBOptions`` (64 MiB write buffers, up to 3 of them,
a 2 GiB block cache per database, bloom filters); keys and values are written as JSON (what the
tables' codecs make of ``str`` keys and dict/list values). :func:`open_tables` opens the
same databases with the same options and codecs, so ``bench/bench_stories.py --store rocksdb``
measures the on-disk size and the memory of that state. Left out: the changelog topics (Kafka's
disk, not the worker's) and Faust's small key-to-partition LRU index.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any, Iterator

import orjson

TABLES = ("articles", "stories", "keys", "meta", "buckets")  # as in streams/stories/service.py


class RocksTable(MutableMapping):
    """A Faust table's view of one RocksDB partition: JSON keys and values, missing -> KeyError."""

    def __init__(self, db: Any) -> None:
        self.db = db

    def __getitem__(self, key: str) -> Any:
        raw = self.db.get(orjson.dumps(key))
        if raw is None:
            raise KeyError(key)
        return orjson.loads(raw)

    def get(self, key: str, default: Any = None) -> Any:
        raw = self.db.get(orjson.dumps(key))
        return default if raw is None else orjson.loads(raw)

    def __setitem__(self, key: str, value: Any) -> None:
        self.db.put(orjson.dumps(key), orjson.dumps(value))

    def __delitem__(self, key: str) -> None:
        self.db.delete(orjson.dumps(key))  # like Faust's store: deleting a missing key is no error

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.db.get(orjson.dumps(key)) is not None

    def __iter__(self) -> Iterator[str]:
        return (orjson.loads(k) for k in self.db.keys())

    def __len__(self) -> int:
        return sum(1 for _ in self.db.keys())


def open_tables(directory: Path) -> dict[str, RocksTable]:
    """One database per table (partition 0), named as Faust names them (``<table>-0.db``)."""
    from faust.stores.rocksdb import RocksDBOptions

    options = RocksDBOptions(use_rocksdict=True)
    directory.mkdir(parents=True, exist_ok=True)
    return {name: RocksTable(options.open(directory / f"stories-{name}-0.db")) for name in TABLES}


def disk_bytes(directory: Path) -> int:
    """Bytes of every file under ``directory`` (SST files, write-ahead logs, manifests)."""
    return sum(os.path.getsize(os.path.join(root, f)) for root, _, files in os.walk(directory) for f in files)


def compacted_bytes(tables: dict[str, RocksTable], directory: Path) -> int:
    """Flush the memtables and compact every database, then :func:`disk_bytes`: the live data."""
    for table in tables.values():
        table.db.flush()
        table.db.compact_range(None, None)
    return disk_bytes(directory)
