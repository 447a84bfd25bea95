"""``news-streams ner``: train and evaluate the entity model.

    news-streams ner train [--train PATH] [--out PATH] [--seed N] [--max-sentences N] [--stages 1|2]
    news-streams ner eval  [--test PATH] [--model PATH] [--model-only] [--stage1-only] [--json]
                           [--devset/--no-devset] [--no-curated-people]
    news-streams ner eval --facts [--json]   (quotes, speakers, dates on streams/facts/evaldata)
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

_REPO = Path(__file__).resolve().parents[2]


def _shared(*parts: str) -> str:
    base = os.environ.get("NEWS_SHARED_DATA") or str(_REPO.parent / "shared" / "data")
    return str(Path(base, *parts))


def _default_model() -> str:
    from streams.entities.model import default_model_path

    return str(default_model_path())


ner = click.Group("ner", help="Train and evaluate the Arabic named-entity model (ANERcorp).")


@ner.command("train")
@click.option("--train", "train_path", type=click.Path(exists=True, dir_okay=False),
              default=lambda: _shared("ner", "anercorp-camel-train.txt"), show_default="../shared/data/ner/anercorp-camel-train.txt",
              help="CoNLL file, one 'token TAG' a line (IOB2).")
@click.option("--out", type=click.Path(dir_okay=False), default=_default_model, show_default="the packaged model",
              help="Model file to write (its lexicon goes beside it as <out>.lexicon.tsv).")
@click.option("--seed", type=int, default=13, show_default=True)
@click.option("--max-sentences", type=int, default=None, help="Train on the first N sentences only (fast CI form).")
@click.option("--max-iterations", type=int, default=None, help="L-BFGS iterations (default 300).")
@click.option("--stages", type=click.IntRange(1, 2), default=2, show_default=True,
              help="2: also train the document-level second stage (on jackknifed first-stage labels).")
def train_cmd(train_path: str, out: str, seed: int, max_sentences: int | None, max_iterations: int | None,
              stages: int) -> None:
    """Train the CRF(s) (deterministic given --seed)."""
    from streams.entities.train import train
    from streams.entities.training.devset import DevsetLeak, check_training_data

    try:
        check_training_data(train_path)
    except DevsetLeak as e:
        raise click.ClickException(str(e)) from None
    params = {"max_iterations": max_iterations} if max_iterations else None
    info = train(train_path, out, seed=seed, max_sentences=max_sentences, params=params, stages=stages)
    click.echo(f"trained {info['stages']} stage(s) on {info['sentences']} sentences ({info['tokens']} tokens) in"
               f" {info['seconds']:.1f}s -> {info['model']} ({info['bytes'] / 1e6:.1f} MB)")


@ner.command("eval")
@click.option("--test", "test_path", type=click.Path(exists=True, dir_okay=False),
              default=lambda: _shared("ner", "anercorp-camel-test.txt"), show_default="../shared/data/ner/anercorp-camel-test.txt")
@click.option("--model", "model_path", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Model file (default: the packaged model).")
@click.option("--model-only", is_flag=True, help="Score the CRF alone, without gazetteer/rule post-processing.")
@click.option("--stage1-only", is_flag=True, help="Score the first-stage CRF without the document-level stage.")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable figures.")
@click.option("--devset/--no-devset", default=True, show_default=True,
              help="Also score the stage on the real-news dev set (needs ../shared/data/ar-saudinewsnet-6k.jsonl).")
@click.option("--no-curated-people", is_flag=True, help="Dev set: switch the curated people list off.")
@click.option("--facts", is_flag=True, help="Score quotes, speakers and dates on the annotated gold set instead.")
def eval_cmd(test_path: str, model_path: str | None, model_only: bool, stage1_only: bool, as_json: bool,
             devset: bool, no_curated_people: bool, facts: bool) -> None:
    """Entity-level exact-span micro P/R/F1 (overall and per type, as seqeval) and tokens/s on
    ANERcorp; then the real-news dev set (mentions and entities, per type). ``--facts``: quotes
    and dates instead."""
    if facts:
        from streams.facts.evaluate import evaluate as evaluate_facts, format_report as facts_report

        fr = evaluate_facts(_shared())
        click.echo(json.dumps(fr, indent=2, sort_keys=True) if as_json else facts_report(fr))
        return
    from streams.entities.evaluate import evaluate, format_report

    r = evaluate(test_path, model_path, hybrid=not model_only, stages=1 if stage1_only else None)
    dev = _devset(devset, no_curated_people, model_path)
    if as_json:
        click.echo(json.dumps({**r, "devset": dev}, indent=2, sort_keys=True, ensure_ascii=False))
        return
    click.echo("ANERcorp test\n" + format_report(r))
    if isinstance(dev, dict):
        from streams.entities.training.devset import format_devset_report

        click.echo("\n" + format_devset_report(dev))
    elif dev:
        click.echo("\n" + dev)


def _devset(run: bool, no_people: bool, model_path: str | None) -> dict | str | None:
    """The dev-set section: its figures, or why it did not run."""
    if not run:
        return None
    from streams.entities.training.devset import corpus_path, evaluate_devset

    if not corpus_path().exists():
        return f"real-news dev set: skipped, {corpus_path()} not found (set NEWS_SHARED_DATA)"
    return evaluate_devset(people=not no_people, model_path=model_path)
