"""``news-streams trends``: trend rows offline from enriched JSON Lines (e.g. ``process`` output)."""

from __future__ import annotations

import sys
from typing import Iterator

import click
import orjson

from ..settings import Settings


def _records(paths: tuple[str, ...], bad: list[str]) -> Iterator[object]:
    for path in paths:
        fh = sys.stdin.buffer if path == "-" else open(path, "rb")
        with fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                try:
                    yield orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    bad.append(f"{path}:{number}: not valid JSON: {exc}")


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option("--window", "windows", default=None, metavar="1h|1d|...",
              help="Window sizes, comma separated, optionally size:K previous windows for the baseline "
                   "(default: NEWS_TRENDS_WINDOWS).")
@click.option("--lateness", default=None, help="Allowed lateness (default: NEWS_TRENDS_LATENESS); only matters "
                                               "with --order input.")
@click.option("--order", type=click.Choice(["event", "input"]), default="event", show_default=True,
              help="Count in event-time order (a sorted replay), or in file order as a live stream would.")
@click.option("-o", "--output", type=click.File("wb"), default="-", help="Trend rows as JSON Lines (default stdout).")
def trends(files: tuple[str, ...], windows: str | None, lateness: str | None, order: str, output) -> None:
    """Which entities rose: one row per (window, entity) from enriched records.

    Rows are sorted by window size, window start and descending score; the fields are those of
    the `trends` topic (schemas/v1/trends.schema.json).
    """
    from ..trends import trend_rows
    from ..trends.config import TrendConfig

    settings = Settings.from_env()
    try:
        config = TrendConfig.from_strings(windows or settings.trends_windows, lateness or settings.trends_lateness)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None
    bad: list[str] = []
    try:
        result = trend_rows(_records(files, bad), config, order=order)
    except OSError as exc:
        raise click.ClickException(str(exc)) from None
    for line in bad:
        click.echo(line, err=True)
    for row in result.rows:
        output.write(orjson.dumps(row) + b"\n")
    output.flush()
    skipped = ", ".join(f"{k} {v}" for k, v in sorted(result.skipped.items())) or "none"
    click.echo(f"{len(result.rows)} row(s) from {result.articles} article(s) ({len(bad)} unparseable line(s)); "
               f"entity observations: counted {result.outcomes['counted']}, duplicate {result.outcomes['duplicate']}, "
               f"late {result.outcomes['late']}; refused: {skipped}", err=True)
    if bad:
        sys.exit(1)
