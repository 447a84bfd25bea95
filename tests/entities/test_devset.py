"""The real-news dev set: its scorer on a tiny gold with known figures, the robust mention
format, the training guard, and the shipped gold against the current cleaner."""

from __future__ import annotations

import json

import pytest

from streams.entities.training import devset as d

from .conftest import need, shared_data

TITLE = "زيارة الوزير إلى جدة"
BODY = "وصل محمد العلي إلى جدة أمس قادما من القاهرة. والتقى العلي بممثلي منظمة الصحة العالمية في جدة."


def _mention(field: str, hay: str, text: str, typ: str, occ: int = 0, entity: str | None = None) -> dict:
    start = d.locate(hay, text, occ)
    assert start is not None
    return {"field": field, "type": typ, "text": text, "occ": occ, "start": start, "end": start + len(text),
            "entity": entity or text}


@pytest.fixture()
def tiny(tmp_path):
    """A one-article corpus and its gold: 6 mentions, 4 entities."""
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text(json.dumps({"id": "t-1", "title": TITLE, "body": BODY, "source": "test"}, ensure_ascii=False)
                      + "\n", encoding="utf-8")
    cleaned = d.clean_record({"id": "t-1", "title": TITLE, "body": BODY})
    text, title = cleaned.text, cleaned.title
    gold = {"id": "t-1", "source": "test", "section": None, "mentions": [
        _mention("title", title, "جدة", "LOC"),
        _mention("text", text, "محمد العلي", "PER"),
        _mention("text", text, "العلي", "PER", occ=1, entity="محمد العلي"),
        _mention("text", text, "جدة", "LOC", occ=0),
        _mention("text", text, "جدة", "LOC", occ=1),
        _mention("text", text, "القاهرة", "LOC"),
        _mention("text", text, "منظمة الصحة العالمية", "ORG"),
    ]}
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(gold, ensure_ascii=False) + "\n", encoding="utf-8")
    return path, corpus, text, title


def _at(field: str, hay: str, text: str, typ: str, occ: int = 0, source: str | None = None) -> d.Mention:
    s = d.locate(hay, text, occ)
    return d.Mention(field, s, s + len(text), typ, text, source)


def test_known_figures(tiny):
    gold, corpus, text, title = tiny

    def predictor(cleaned, model=None):
        return [
            d.Group("LOC", [_at("title", title, "جدة", "LOC"), _at("text", text, "جدة", "LOC"),
                            _at("text", text, "جدة", "LOC", 1, source="gazetteer")]),
            d.Group("PER", [_at("text", text, "محمد العلي", "PER")]),  # misses the second mention
            d.Group("LOC", [_at("text", text, "القاهرة", "LOC", source="gazetteer")]),
            d.Group("ORG", [_at("text", text, "منظمة الصحة", "ORG")]),  # span too short
            d.Group("PER", [_at("text", text, "أمس", "PER", source="gazetteer")]),  # spurious
        ]

    r = d.evaluate_devset(gold, corpus, predictor=predictor, errors=True)
    m, e = r["mentions"], r["entities"]
    # mentions: gold 7, predicted 7, correct 5 (جدة x3, محمد العلي, القاهرة)
    assert (m["overall"]["support"], m["overall"]["predicted"], m["overall"]["correct"]) == (7, 7, 5)
    assert m["overall"]["f1"] == pytest.approx(5 / 7)
    assert m["LOC"]["precision"] == 1.0 and m["LOC"]["recall"] == 1.0
    assert m["PER"]["precision"] == pytest.approx(0.5) and m["PER"]["recall"] == pytest.approx(0.5)
    assert m["ORG"]["f1"] == 0.0
    # entities: gold 4 (جدة, محمد العلي, القاهرة, the WHO), predicted 5, correct 3
    assert (e["overall"]["support"], e["overall"]["predicted"], e["overall"]["correct"]) == (4, 5, 3)
    assert e["overall"]["precision"] == pytest.approx(3 / 5) and e["overall"]["recall"] == pytest.approx(3 / 4)
    # gazetteer-only hits: 3 predicted, 2 correct
    g = r["gazetteer_only"]["overall"]
    assert (g["predicted"], g["correct"]) == (3, 2)
    kinds = sorted((k, t) for k, _, _, _, _, t in r["errors"]["t-1"])
    assert kinds == [("missed", "العلي"), ("missed", "منظمة الصحة العالمية"), ("spurious", "أمس"),
                     ("spurious", "منظمة الصحة")]
    assert "gazetteer-only hits: precision 0.6667 (2/3)" in d.format_devset_report(r)


def test_entity_matching_is_one_to_one():
    a = d.Mention("text", 0, 3, "PER")
    b = d.Mention("text", 10, 13, "PER")
    gold = [d.Group("PER", [a]), d.Group("PER", [b])]
    merged = [d.Group("PER", [a, b])]  # two people merged into one predicted entity
    c = d.score_article(gold, merged)
    assert c["e_correct"]["PER"] == 1 and c["e_gold"]["PER"] == 2 and c["e_pred"]["PER"] == 1
    assert c["m_correct"]["PER"] == 2
    assert d.score_article(gold, [d.Group("ORG", [a])])["e_correct"]["ORG"] == 0  # type must agree


def test_author_in_dateline_counts_as_the_byline_mention():
    fields = {"title": "", "text": "", "dateline": "حنان الحامدي – عين اليوم", "byline": "حنان الحامدي"}
    gold = [d.Group("PER", [d.Mention("byline", 0, 12, "PER")]), d.Group("ORG", [d.Mention("dateline", 15, 24, "ORG")])]
    pred = [d.Group("PER", [d.Mention("dateline", 0, 12, "PER")]), d.Group("ORG", [d.Mention("dateline", 15, 24, "ORG")])]
    c = d.score_article(gold, pred, fields)
    assert c["m_correct"]["PER"] == 1 and c["m_correct"]["ORG"] == 1
    assert c["f_correct"]["byline"] == 1 and c["f_correct"]["dateline"] == 1


def test_mentions_survive_small_cleaner_changes():
    art = d.GoldArticle("x", "s", None, [
        d.GoldMention("text", "LOC", "جدة", 1, 20, 23, "جدة"),
        d.GoldMention("text", "PER", "فهد العتيبي", 0, 0, 11, "فهد العتيبي"),
        d.GoldMention("text", "ORG", "واس", 0, 30, 33, "واس"),
    ])
    # the text now starts two characters later, the author moved to the byline, واس is gone
    fields = {"title": "", "text": "  من جدة إلى الرياض ثم إلى جدة", "dateline": "", "byline": "فهد العتيبي"}
    res, problems = d.resolve(art, fields)
    loc, per, org = (m for m, _ in res)
    assert (loc.field, fields["text"][loc.start:loc.end], loc.start) == ("text", "جدة", fields["text"].rindex("جدة"))
    assert (per.field, per.start, per.end) == ("byline", 0, 11)
    assert org.start < 0 and len(problems) == 1 and "واس" in problems[0]


def test_occurrence_and_locate_agree():
    hay = "جدة وجدة ثم جدة"
    for k, i in enumerate([0, 5, 12]):
        assert d.occurrence(hay, "جدة", i) == k and d.locate(hay, "جدة", k) == i
    assert d.locate(hay, "جدة", 3) is None


def test_training_guard(tiny, tmp_path):
    gold, corpus, text, _ = tiny
    clean = tmp_path / "train.txt"
    clean.write_text("ذهب O\nأحمد B-PER\nإلى O\nدمشق B-LOC\n", encoding="utf-8")
    d.check_training_data(clean, gold=gold, corpus=corpus)  # no overlap: passes
    named = tmp_path / "named.txt"
    named.write_text("# doc t-1\nجدة B-LOC\n", encoding="utf-8")
    with pytest.raises(d.DevsetLeak, match="names 1 dev-set"):
        d.check_training_data(named, gold=gold, corpus=corpus)
    leak = tmp_path / "leak.txt"
    words = d._tokens(text)[:d.LEAK_NGRAM]
    leak.write_text("".join(f"{w} O\n" for w in ["قال", *words]), encoding="utf-8")
    with pytest.raises(d.DevsetLeak, match="passage of a dev-set article"):
        d.check_training_data(leak, gold=gold, corpus=corpus)
    recs = [{"id": "t-1"}, {"id": "t-2"}]
    assert [r["id"] for r in d.exclude_devset(recs, gold=gold)] == ["t-2"]


def test_shipped_gold_is_well_formed():
    arts = d.load_gold()
    assert len(arts) >= 40 and len({a.id for a in arts}) == len(arts)
    assert {a.source for a in arts} >= set(d.QUOTAS)
    for a in arts:
        for m in a.mentions:
            assert m.end - m.start == len(m.text) and m.text == m.text.strip()
            assert not m.text.startswith(("وال", "بال", "لل", "و ")), (a.id, m.text)


def test_shipped_gold_is_the_stated_draw():
    corpus = need(shared_data() / d.CORPUS_FILE)
    first = [r["id"] for r in d.select(corpus)]
    gold = [a.id for a in d.load_gold()]
    assert gold[:len(first)] == first
    # The supplement was drawn among articles the cleaner of its day gave a dateline or byline;
    # the cleaner now also detects the three-part byline (فلان- سبق- نجران:), so a re-draw may
    # take a newly eligible article first. What holds: every supplement article is still eligible.
    recs = d.read_records(corpus, gold[len(first):])
    for aid in gold[len(first):]:
        c = d.clean_record(recs[aid])
        assert c.dateline or c.byline, aid


def test_shipped_gold_resolves_in_the_current_cleaner():
    corpus = need(shared_data() / d.CORPUS_FILE)
    arts = d.load_gold()
    recs = d.read_records(corpus, (a.id for a in arts))
    assert len(recs) == len(arts)
    problems = []
    for a in arts:
        problems += d.resolve(a, d.field_texts(d.clean_record(recs[a.id])))[1]
    assert problems == []


def test_curated_people_switch():
    """``Gazetteer(curated_people=False)`` (``load_model(curated_people=False)``, used by ``ner
    eval --no-curated-people``): no phrase, Latin alias or feature class from the people list; the
    packaged model keeps it; the other lists are untouched."""
    from streams.entities.extract import find_all
    from streams.entities.gazetteer import read_table
    from streams.entities.model import load_model

    on, off = load_model(), load_model(curated_people=False)
    assert off is not on and off is load_model(curated_people=False) and on.gaz.curated_people
    people = [r for r in read_table("people.tsv") if len(r) > 3 and r[3].strip()]
    assert len(people) > 50
    name = people[0][3].split("|")[0].lstrip("~")
    assert on.gaz.lookup(name).type == "PER"
    assert off.gaz.lookup(name) is None or off.gaz.lookup(name).type != "PER"
    assert not any(e.type == "PER" for e in off.gaz.phrases.values())
    assert not any(e.type == "PER" for e in off.gaz.latin.values())
    assert not any(t in v for v in off.gaz.token_types_frozen.values() for t in ("PER", "PERw", "partPER"))
    assert sum(e.type == "PER" for e in on.gaz.phrases.values()) > 50
    assert {k: e for k, e in on.gaz.phrases.items() if e.type == "ORG" and e.source.startswith("curated")} == \
        {k: e for k, e in off.gaz.phrases.items() if e.type == "ORG" and e.source.startswith("curated")}
    # in a sentence: linked to the list's entry with it, to nothing from the list without it
    sent = f"وقال {name} إن"
    assert any(f.entry is not None and f.entry.source == "curated:people" for f in find_all(sent, None, "ar", on))
    assert not any(f.entry is not None and f.entry.source == "curated:people"
                   for f in find_all(sent, None, "ar", off))


def test_ner_train_refuses_the_dev_set(tmp_path):
    from click.testing import CliRunner

    from streams.cli.ner import ner

    leak = tmp_path / "silver.txt"
    leak.write_text(f"# doc {d.load_gold()[0].id}\nجدة B-LOC\n", encoding="utf-8")
    r = CliRunner().invoke(ner, ["train", "--train", str(leak), "--out", str(tmp_path / "m.crfsuite")])
    assert r.exit_code != 0 and "dev set stays out of training" in r.output
    assert not (tmp_path / "m.crfsuite").exists()


def test_ner_eval_has_a_dev_set_section(ner_data):
    from click.testing import CliRunner

    from streams.cli.ner import ner

    need(shared_data() / d.CORPUS_FILE)
    r = CliRunner().invoke(ner, ["eval", "--test", str(ner_data("anercorp-camel-test.txt")), "--no-curated-people"])
    assert r.exit_code == 0, r.output
    assert f"real-news dev set: {len(d.load_gold())} articles, curated people list off" in r.output
    assert "entities (one per referent per article)" in r.output


def test_model_file_with_people_off(tmp_path):
    """``ner eval --model F --no-curated-people``: the dev set runs on F, without the people list."""
    import shutil

    from streams.entities.model import default_model_path, load_model

    src = default_model_path()
    for f in src.parent.glob(src.stem + "*"):
        shutil.copy(f, tmp_path / f.name)
    m = load_model(tmp_path / src.name, curated_people=False)
    assert m.path == tmp_path / src.name and not m.gaz.curated_people
    assert load_model().path == src and load_model().gaz.curated_people
