"""Load the shipped CRF once per process and tag token sequences."""

from __future__ import annotations

import functools
import threading
from importlib import resources
from pathlib import Path

import pycrfsuite

from . import lexicon as lexmod
from .features import Featurizer
from .gazetteer import Gazetteer

MODEL_NAME = "ner.crfsuite"


def default_model_path() -> Path:
    return Path(str(resources.files("streams.entities").joinpath("models", MODEL_NAME)))


class Model:
    def __init__(self, path: str | Path) -> None:
        from .train import lexicon_path

        self.path = Path(path)
        self.lex = lexmod.load(lexicon_path(self.path))
        self.gaz = Gazetteer(self.lex)
        self.tagger = pycrfsuite.Tagger()
        self.tagger.open(str(self.path))
        known = frozenset(a for a, _ in self.tagger.info().state_features)
        self.featurizer = Featurizer(self.gaz, known)
        self._lock = threading.Lock()

    def tag(self, tokens: list[str]) -> tuple[list[str], list]:
        """BIO labels for the tokens, and the gazetteer phrase matches found on the way."""
        if not tokens:
            return [], []
        x, gaz = self.featurizer.sentence(tokens)
        with self._lock:  # a crfsuite Tagger is not thread-safe
            labels = self.tagger.tag(x)
        return labels, gaz


@functools.lru_cache(maxsize=4)
def _load(path: str) -> Model:
    return Model(path)


def load_model(path: str | Path | None = None) -> Model:
    return _load(str(Path(path) if path else default_model_path()))
