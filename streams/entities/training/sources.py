"""The dev-set predictor that says where each mention came from (``ner eval``'s second section
reports the precision of gazetteer-only hits apart)."""

from __future__ import annotations

from ..extract import find_all
from ..merge import merge
from .devset import Group, Mention


def predict_with_sources(cleaned, model=None) -> list:
    """``devset.predict`` with each mention's origin: ``"gazetteer"`` for hits the model did not
    propose, so the dev-set report gives the precision of gazetteer-only hits apart."""
    found = find_all(cleaned.text or "", cleaned.title, cleaned.language, model, dateline=cleaned.dateline,
                     byline=cleaned.byline, authors=cleaned.authors)
    origin = {(f.field, f.start, f.end): f.source for f in found}
    groups = []
    for e in merge(found):
        g = Group(e.type)
        g.mentions = [Mention(m.field, m.start, m.end, e.type, m.text, origin.get((m.field, m.start, m.end)))
                      for m in e.mentions]
        groups.append(g)
    return groups
