"""Build hook: ship the record contracts and the local Kafka launcher files inside the package.

Everything else about the build is in ``pyproject.toml``. ``schemas/`` and ``deploy/kafka/`` stay
at the top of the repository (people read and edit them there); when a wheel is built they are
copied into ``streams/_bundled/``, where :mod:`streams.resources` finds them in an installed
package. Editable installs read the source tree directly and get no copy.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
#: source folder -> (folder inside streams/_bundled, file patterns)
BUNDLED = {
    "schemas/v1": ("schemas/v1", ("*.schema.json",)),
    "deploy/kafka": ("kafka", ("pom.xml", "*.properties")),
}


class BuildPyWithData(build_py):
    """``build_py`` that also copies the bundled data files into the built package."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for source, (target, patterns) in BUNDLED.items():
            files = sorted(f for pattern in patterns for f in (ROOT / source).glob(pattern))
            if not files:
                raise SystemExit(f"setup.py: no {patterns} in {ROOT / source}: the package would be incomplete")
            out = Path(self.build_lib) / "streams" / "_bundled" / target
            self.mkpath(str(out))
            for f in files:
                self.copy_file(str(f), str(out / f.name))


setup(cmdclass={"build_py": BuildPyWithData})
