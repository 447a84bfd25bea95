"""``news-streams process``: the same stage functions, in-process, without a broker."""

from __future__ import annotations

import sys
from collections import Counter

import click
import orjson

from ..devkit.feed import read_inputs
from ..records import DeadLetter, SourcePosition
from ..settings import Settings


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option("-o", "--output", type=click.File("wb"), default="-", help="Enriched JSON Lines (default stdout).")
@click.option("--dead-letter", "dead_file", type=click.File("wb"), default=None,
              help="Write dead-letter records here (JSON Lines).")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: when stderr is a terminal).")
@click.option("--stories/--no-stories", default=True,
              help="Add the `story` object (near copies, same-event stories), in input order (default: on).")
def process(files: tuple[str, ...], output, dead_file, progress: bool | None, stories: bool) -> None:
    """Clean and enrich articles from files, one enriched record per good input line."""
    from ..pipeline import process_payload, warm_up  # loads the models: only when the command runs
    from ..stories.stage import StoryIndex, assign_story, with_story

    story_index = StoryIndex() if stories else None

    warm_up()

    settings = Settings.from_env()
    show = sys.stderr.isatty() if progress is None else progress
    records = read_inputs(list(files))  # unparseable lines come back too, and are dead-lettered
    if show:
        from tqdm import tqdm

        records = tqdm(records, unit=" articles", file=sys.stderr)
    ok = 0
    reasons: Counter[str] = Counter()
    for rec in records:
        source = SourcePosition(file=rec.file, line=rec.line)
        result = process_payload(rec.payload, source, max_bytes=settings.max_record_bytes)
        if isinstance(result, DeadLetter):
            reasons[result.reason] += 1
            click.echo(f"{rec.file}:{rec.line}: dead-letter ({result.stage}/{result.reason}): {result.message}",
                       err=True)
            if dead_file is not None:
                dead_file.write(orjson.dumps(result) + b"\n")
            continue
        line = orjson.dumps(result)
        if story_index is not None:  # same order as the input: what one stream worker would compute
            line = with_story(line, assign_story(story_index, result))
        output.write(line + b"\n")
        ok += 1
    output.flush()
    summary = ", ".join(f"{k} {v}" for k, v in reasons.most_common()) or "none"
    click.echo(f"enriched {ok} article(s); dead letters: {sum(reasons.values())} ({summary})", err=True)


