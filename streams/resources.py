"""Files the package needs at run time that live outside ``streams/`` in the source tree.

The record contracts (``schemas/v1/*.schema.json``) and the local Kafka launcher files
(``deploy/kafka/pom.xml``, ``*.properties``) stay where people read and edit them, at the top of
the repository. The build (``setup.py``) copies them into the package as ``streams/_bundled/``,
so an installed wheel carries them. This module finds them in that order:

1. the directory an operator named (``NEWS_SCHEMA_DIR``, ``NEWS_KAFKA_DEPLOY_DIR``);
2. the copy inside the installed package;
3. the source tree beside the package (a checkout, an editable install).

A missing directory is a :class:`ResourceMissing` that says where it looked.
"""

from __future__ import annotations

from pathlib import Path

from .settings import Settings

PACKAGE = Path(__file__).resolve().parent
SOURCE_ROOT = PACKAGE.parent
BUNDLED = PACKAGE / "_bundled"

#: name -> (path inside ``_bundled``, path in the source tree, a file that must be there, variable)
LOCATIONS: dict[str, tuple[str, str, str, str]] = {
    "schemas": ("schemas/v1", "schemas/v1", "raw.schema.json", "NEWS_SCHEMA_DIR"),
    "kafka": ("kafka", "deploy/kafka", "pom.xml", "NEWS_KAFKA_DEPLOY_DIR"),
}


class ResourceMissing(FileNotFoundError):
    """A data directory the package needs is neither configured, nor installed, nor in a checkout."""


def locate(name: str, override: str = "") -> Path:
    """The directory holding resource ``name`` (``schemas`` or ``kafka``)."""
    bundled, source, marker, variable = LOCATIONS[name]
    if override:
        path = Path(override).expanduser()
        if not (path / marker).is_file():
            raise ResourceMissing(f"{variable}={override}: no {marker} there")
        return path
    candidates = (BUNDLED / bundled, SOURCE_ROOT / source)
    for path in candidates:
        if (path / marker).is_file():
            return path
    raise ResourceMissing(
        f"{name} files not found: looked in {candidates[0]} (installed package) and {candidates[1]} "
        f"(source checkout); reinstall news-streams or set {variable}")


def schema_dir(settings: Settings | None = None) -> Path:
    """Where the JSON Schema files of the record contracts are."""
    return locate("schemas", (settings or Settings.from_env()).schema_dir)


def kafka_deploy_dir(settings: Settings | None = None) -> Path:
    """Where ``pom.xml``, ``server.properties`` and ``log4j.properties`` of the local broker are."""
    return locate("kafka", (settings or Settings.from_env()).kafka_deploy_dir)


def cache_dir(settings: Settings | None = None) -> Path:
    """The per-user cache (``NEWS_CACHE_DIR``, default ``$XDG_CACHE_HOME/news-streams``)."""
    return (settings or Settings.from_env()).cache_path
