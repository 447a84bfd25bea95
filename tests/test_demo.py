"""The README's first command, ``news-streams demo``, end to end on the test broker: every article
accounted for, the product view, and the stories of the run (the stage is on by default)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.kafka


def test_the_demo_accounts_for_every_article_and_shows_the_product(kafka_settings, tmp_path):
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka_settings.kafka_bootstrap_servers,
           "NEWS_DEMO_DIR": str(tmp_path / "demo")}
    env.pop("NEWS_STORIES", None)
    # run from a directory holding a module named like a standard one, as a user's scratch directory
    # may: the worker the demo starts must not import it
    (tmp_path / "select.py").write_text("raise SystemExit('the select.py of the current directory was imported')\n")
    command = Path(sys.executable).with_name("news-streams")
    done = subprocess.run([str(command), "demo", "--sample", "40", "--timeout", "240"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=420)
    out = done.stdout
    assert done.returncode == 0, (out + done.stderr)[-3000:]
    assert "unaccounted             0" in out
    enriched = int(next(l for l in out.splitlines() if l.startswith("enriched ")).split()[-1])
    assert enriched >= 35  # the sample, the seed, the bundled or corpus articles, less the poison
    assert "One enriched article, as a reader sees it" in out and "Entities (" in out
    stories = next(l for l in out.splitlines() if l.startswith("Stories: "))
    assert stories.startswith(f"Stories: {enriched} article(s) in "), stories
    assert "Dead letters (" in out
