"""``news-streams stories ...``: evaluate story assignment on the shared corpus."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import orjson


@click.group()
def stories() -> None:
    """Stories: near copies and same-event groups (see README "Stories")."""


@stories.command("eval")
@click.option("--enriched", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Enriched JSON Lines of the corpus (skips cleaning and entities; else they run in process).")
@click.option("--corpus", type=click.Path(dir_okay=False), default=None,
              help="Raw corpus (default: the shared ar-saudinewsnet-6k.jsonl).")
@click.option("--pairs", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Labelled pairs TSV (default: the packaged streams/stories/evaldata/pairs.tsv).")
@click.option("-v", "--verbose", is_flag=True, help="List every pair the assignment gets wrong.")
def evaluate_cmd(enriched: str | None, corpus: str | None, pairs: str | None, verbose: bool) -> None:
    """Pair precision/recall (same story, near copy) and the story size distribution."""
    from ..stories.evaluate import evaluate, load_pairs

    records = list(_enriched(enriched) if enriched else _process(corpus))
    report = evaluate(records, load_pairs(pairs), verbose=verbose)
    for line in report.lines():
        click.echo(line)


def _enriched(path: str):
    with open(path, "rb") as fh:
        for line in fh:
            if line.strip():
                yield orjson.loads(line)


def _process(corpus: str | None):
    from ..pipeline import process_payload, warm_up
    from ..records import DeadLetter, SourcePosition
    from ..settings import Settings, shared_data_dir

    path = Path(corpus) if corpus else shared_data_dir() / "ar-saudinewsnet-6k.jsonl"
    if not path.exists():
        raise click.UsageError(f"corpus not found: {path} (set NEWS_SHARED_DATA or pass --corpus/--enriched)")
    click.echo(f"cleaning and enriching {path} in process (about a minute)...", err=True)
    warm_up()
    settings = Settings.from_env()
    with path.open("rb") as fh:
        for number, line in enumerate(fh, 1):
            result = process_payload(line, SourcePosition(file=str(path), line=number),
                                     max_bytes=settings.max_record_bytes)
            if not isinstance(result, DeadLetter):
                yield orjson.loads(orjson.dumps(result))
    sys.stderr.flush()
