"""``news-streams process``: the same stage functions, in-process, without a broker."""

from __future__ import annotations

import sys
from collections import Counter

import click
import orjson

from ..devkit.feed import read_inputs
from ..errors import Reason
from ..records import DeadLetter, SourcePosition
from ..settings import Settings
from .startup import ConfigError, ready_stages, require_readable

EXIT_CODES = """\b
Exit codes:
  0  every record enriched or dead-lettered for a reason of its own
  1  some records were dead-lettered internal_error (a bug: the message names the exception)
  2  usage, configuration or installation error, or an input that cannot be read"""


@click.command(epilog=EXIT_CODES)
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option("-o", "--output", type=click.File("wb"), default="-", help="Enriched JSON Lines (default stdout).")
@click.option("--dead-letter", "dead_file", type=click.File("wb"), default=None,
              help="Write dead-letter records here (JSON Lines).")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: when stderr is a terminal).")
@click.option("--stories/--no-stories", default=True,
              help="Add the `story` object (near copies, same-event stories), in input order (default: on).")
def process(files: tuple[str, ...], output, dead_file, progress: bool | None, stories: bool) -> None:
    """Clean and enrich articles from files, one enriched record per good input line.

    Every input line ends as one enriched record (--output) or one dead letter (--dead-letter,
    and a line on stderr); no record stops the batch.
    """
    require_readable(files)  # all inputs readable before any model loads: one line, no traceback

    from ..pipeline import process_payload  # loads the models: only when the command runs
    from ..stories.stage import StoryIndex, assign_story, with_story

    story_index = StoryIndex() if stories else None

    def encode(result: object) -> bytes:
        """The record's JSON, with its story (input order: what one stream worker would compute)."""
        if story_index is None or isinstance(result, DeadLetter):
            return orjson.dumps(result)
        return with_story(orjson.dumps(result), assign_story(story_index, result))

    ready_stages()  # trafilatura, lingua, the entity model: a broken one stops here, in one line

    settings = Settings.from_env()
    show = sys.stderr.isatty() if progress is None else progress
    records = read_inputs(list(files))  # unparseable lines come back too, and are dead-lettered
    if show:
        from tqdm import tqdm

        records = tqdm(records, unit=" articles", file=sys.stderr)
    ok = 0
    reasons: Counter[str] = Counter()
    try:
        for rec in records:
            source = SourcePosition(file=rec.file, line=rec.line)
            line, result = _one(rec.payload, source, settings.max_record_bytes, process_payload, encode)
            if isinstance(result, DeadLetter):
                reasons[result.reason] += 1
                click.echo(f"{rec.file}:{rec.line}: dead-letter ({result.stage}/{result.reason}): {result.message}",
                           err=True)
                if dead_file is not None:
                    dead_file.write(line)
                continue
            output.write(line)
            ok += 1
    except OSError as exc:  # an input that fails while being read (a disk error, a vanished file)
        raise ConfigError(f"cannot read the input: {type(exc).__name__}: {exc}") from None
    output.flush()
    summary = ", ".join(f"{k} {v}" for k, v in reasons.most_common()) or "none"
    click.echo(f"enriched {ok} article(s); dead letters: {sum(reasons.values())} ({summary})", err=True)
    if reasons[Reason.INTERNAL_ERROR]:
        sys.exit(1)


def _one(payload: bytes, source: SourcePosition, max_bytes: int, process_payload, encode) -> tuple[bytes, object]:
    """One input line -> (JSON line, record). Whatever goes wrong, that record's dead letter."""
    from ..deadletter import dead_letter
    from ..ingest import article_id_hint

    stage = "clean"
    try:
        result = process_payload(payload, source, max_bytes=max_bytes)
        stage = result.stage if isinstance(result, DeadLetter) else "entities"
        return encode(result) + b"\n", result
    except Exception as exc:  # noqa: BLE001 - e.g. an unknown field nested too deep to re-encode
        dl = dead_letter(payload, stage=stage, reason=Reason.INTERNAL_ERROR, message=f"{type(exc).__name__}: {exc}",
                         source=source, article_id=article_id_hint(payload))
        return orjson.dumps(dl) + b"\n", dl
