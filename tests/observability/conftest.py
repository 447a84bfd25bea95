"""Helpers for the observability tests: the external tools they run, and YAML loading.

The tools come from Debian packages that ``.ci/run`` installs (``prometheus`` brings
``prometheus`` and ``promtool``; ``prometheus-alertmanager`` brings ``amtool``;
``docker-compose`` validates the compose file without an engine). Outside CI a missing tool skips its tests with the command that installs it; with
``CI=true`` a missing tool fails them, so CI can never pass by skipping.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
PACKAGES = {"prometheus": "prometheus", "promtool": "prometheus", "docker-compose": "docker-compose",
            "amtool": "prometheus-alertmanager"}


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path:
        return path
    package = PACKAGES.get(name, name)
    if in_ci():
        pytest.fail(f"{name} is not installed; CI must provide it (.ci/run installs Debian's {package})")
    pytest.skip(f"{name} not found: apt-get install -y {package} (with CI=true this is a failure)")


def run(*args: str, timeout: float = 60, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, timeout=timeout)


def load_yaml_documents(path: Path) -> list:
    """All YAML documents in ``path``, parsed.

    PyYAML is not a dependency of the project; Debian's docker-compose runs on a Python that has
    it, so without ``import yaml`` the file is parsed by that interpreter and handed back as JSON.
    """
    try:
        import yaml  # type: ignore[import-untyped]
    except ImportError:
        compose = require_tool("docker-compose")
        shebang = Path(compose).read_text(errors="replace").splitlines()[0]
        python = shebang[2:].strip().split()[0] if shebang.startswith("#!") else "/usr/bin/python3"
        proc = run(python, "-c", "import json, sys, yaml; "
                   "print(json.dumps(list(yaml.safe_load_all(open(sys.argv[1], encoding='utf-8')))))", str(path))
        if proc.returncode != 0:
            pytest.fail(f"cannot parse {path}: {proc.stderr}")
        return json.loads(proc.stdout)
    with path.open(encoding="utf-8") as fh:
        return list(yaml.safe_load_all(fh))


@pytest.fixture(scope="session")
def promtool() -> str:
    return require_tool("promtool")


@pytest.fixture(scope="session")
def prometheus_bin() -> str:
    return require_tool("prometheus")


@pytest.fixture(scope="session")
def docker_compose() -> str:
    return require_tool("docker-compose")
