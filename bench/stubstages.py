"""Bench only: a consume -> process -> produce loop whose two stages are look-ups of results
computed at start-up, so that what it costs per article is what it costs *beyond* its stages.

With the real stages (~10 ms per article) a 0.1 ms change of the worker's own cost is lost in
a shared box's noise; with the stages taken out it is a few percent of what is measured.
``clean_stage`` returns the cleaned record computed at start-up for that raw payload (with this
record's ``ingested_at``); ``entities_stage`` still decodes the ``cleaned`` record it receives
(``cleaned_from_json``: that decode is part of a hop's cost) and returns the enriched record
computed for that article id. A payload not seen at start-up runs the real stage.

    python -c "$(python -c 'import bench.stubstages as s; print(s.BOOT)')" \\
        streams.service.agents streams.cli worker --loglevel=warn

The first argument is the module whose ``clean_stage``/``entities_stage`` names are replaced
(``streams.service.agents`` for the worker, ``bench.stageloop``, ``bench.quixapp``), the second
the module whose ``main()`` is then called, with the rest as its arguments (``command`` builds
this line; ``worker_class`` is ``WorkerProcess`` started that way). ``NEWS_STUB_CORPUS`` (a JSON Lines
file) and ``NEWS_STUB_ARTICLES`` (how many of its first lines) say what is computed at start-up.
"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: ``python -c BOOT PATCH RUN ARGS...``: the repo's ``bench`` is appended to the path, so the
#: ``streams`` package is still the one the current directory or PYTHONPATH gives (an A/B's base).
BOOT = f"import sys; sys.path.append({str(ROOT)!r}); from bench.stubstages import main; main(sys.argv[1:])"


def command(patch: str, run: str, *args: str) -> list[str]:
    return [sys.executable, "-c", BOOT, patch, run, *args]


def worker_class():
    """``WorkerProcess`` started through :func:`main` (its stages replaced by look-ups)."""
    from streams.devkit.local import WorkerProcess, settings_env

    class StubWorker(WorkerProcess):
        def start(self) -> "StubWorker":
            env = {**os.environ, **settings_env(self.settings), "PYTHONUNBUFFERED": "1"}
            with open(self.log_path, "ab") as log:
                self.process = subprocess.Popen(
                    command("streams.service.agents", "streams.cli", "worker", f"--loglevel={self.loglevel}",
                            f"--web-port={self.settings.web_port}"),
                    env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
            return self

    return StubWorker


def install(module_name: str, corpus: Path, limit: int) -> int:
    """Replace the stage functions of ``module_name``; returns the number of articles prepared."""
    from streams import pipeline
    from streams.records import DeadLetter, SourcePosition

    cleaned_by_payload, enriched_by_id = {}, {}
    source = SourcePosition(topic="stub", partition=0, offset=0)
    with corpus.open("rb") as fh:
        payloads = [line.rstrip(b"\n") for line in fh if line.strip()][:limit]
    for payload in payloads:
        cleaned = pipeline.clean_stage(payload, source, max_bytes=100_000_000)
        cleaned_by_payload[payload] = cleaned
        if not isinstance(cleaned, DeadLetter):
            enriched_by_id[cleaned.id] = pipeline.entities_stage(cleaned, source)

    def looked_up_clean(payload, source, *, max_bytes, ingested_at=None):
        result = cleaned_by_payload.get(payload)
        if result is None:
            return pipeline.clean_stage(payload, source, max_bytes=max_bytes, ingested_at=ingested_at)
        if not isinstance(result, DeadLetter):
            result.ingested_at = ingested_at
        return result

    def decoded_then_looked_up(cleaned, source):
        record = pipeline.cleaned_from_json(cleaned) if isinstance(cleaned, (bytes, str)) else cleaned
        result = enriched_by_id.get(record.id)
        return result if result is not None else pipeline.entities_stage(record, source)

    module = importlib.import_module(module_name)
    module.clean_stage, module.entities_stage = looked_up_clean, decoded_then_looked_up
    return len(payloads)


def main(args: list[str]) -> None:
    patch, run, *rest = args
    install(patch, Path(os.environ["NEWS_STUB_CORPUS"]), int(os.environ.get("NEWS_STUB_ARTICLES", "1000")))
    sys.argv = [run, *rest]
    importlib.import_module(run).main()
