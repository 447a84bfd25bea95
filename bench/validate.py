"""Raw-record validation speed: jsonschema-rs (JSON Schema 2020-12) against fastjsonschema (draft 7).

    .venv/bin/python -m bench.validate [--articles N] [--repeat R]

Validates the decoded raw records of the shared Arabic corpus (or the bundled samples when it is
absent) against ``schemas/v1/raw.schema.json`` with each engine, best of R rounds, and prints
microseconds per record. Only the check itself is timed (the JSON is decoded beforehand), as the
ingest edge calls it once per record. fastjsonschema is measured only when it is installed (it
is no longer a dependency).
"""

from __future__ import annotations

import argparse
import platform
import time
from importlib.metadata import version
from pathlib import Path

import orjson

from streams.contracts import load_schema
from streams.settings import shared_data_dir

SAMPLES = Path(__file__).resolve().parents[1] / "streams" / "samples" / "sample-articles.jsonl"


def _records(n: int) -> tuple[str, list[dict]]:
    corpus = shared_data_dir() / "ar-saudinewsnet-6k.jsonl"
    path = corpus if corpus.exists() else SAMPLES
    lines = path.read_bytes().splitlines()
    records = [orjson.loads(l) for l in lines if l.strip()]
    while len(records) < n:
        records += records
    return path.name, records[:n]


def _best(fn, records: list[dict], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        for r in records:
            fn(r)
        best = min(best, time.perf_counter() - started)
    return best / len(records) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=6000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    name, records = _records(args.articles)
    schema = load_schema("raw")
    size = sum(len(orjson.dumps(r)) for r in records) / len(records)
    print(f"raw validation, {len(records)} records of {name} (mean {size / 1024:.1f} KB), best of {args.repeat}; "
          f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}")
    import jsonschema_rs

    rs = jsonschema_rs.Draft202012Validator(schema, validate_formats=True)
    engines = [(f"jsonschema-rs {version('jsonschema-rs')}", rs.validate)]
    try:
        import fastjsonschema

        engines.append((f"fastjsonschema {fastjsonschema.VERSION}", fastjsonschema.compile(schema)))
    except ImportError:
        print("fastjsonschema not installed: only jsonschema-rs measured")
    for label, fn in engines:
        print(f"  {label:<28} {_best(fn, records, args.repeat):7.2f} µs/record")


if __name__ == "__main__":
    main()
