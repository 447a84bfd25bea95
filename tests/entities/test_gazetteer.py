from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "phrase, typ, qid",
    [
        ("العراق", "LOC", "Q796"),
        ("بالعراق", "LOC", "Q796"),
        ("الولايات المتحدة", "LOC", "Q30"),
        ("أمريكا", "LOC", "Q30"),
        ("إيران", "LOC", "Q794"),
        ("ايران", "LOC", "Q794"),
        ("واشنطن", "LOC", "Q61"),
        ("بغداد", "LOC", "Q1530"),
        ("الناتو", "ORG", "Q7184"),
        ("حلف شمال الأطلسي", "ORG", "Q7184"),
        ("حلف الأطلسي", "ORG", "Q7184"),
        ("رويترز", "ORG", "Q130879"),
        ("دونالد ترامب", "PER", "Q22686"),
        ("ألمانيا", "LOC", "Q183"),  # CLDR name
    ],
)
def test_linking(model, phrase, typ, qid):
    g = model.gaz
    toks = phrase.split()
    key = tuple(g.key_first(t) if k == 0 else g.key_inner(t) for k, t in enumerate(toks))
    e = g.phrases.get(key) or g.lookup(phrase)
    assert e is not None, phrase
    assert (e.type, e.id) == (typ, qid)


def test_english_names_link(model):
    toks = "The United States and NATO met in Baghdad with Reuters".split()
    found = {(" ".join(toks[i:j]), e.id) for i, j, e in model.gaz.match_latin(toks)}
    assert ("United States", "Q30") in found
    assert ("NATO", "Q7184") in found
    assert ("Baghdad", "Q1530") in found
    assert ("Reuters", "Q130879") in found


def test_weak_aliases_do_not_stand_alone(model):
    # "الفرنسية" is both AFP and the adjective "French": weak, so never an entity by itself
    e = model.gaz.lookup("الفرنسية")
    assert e is not None and e.weak


def test_ambiguous_key_keeps_type_drops_id(model):
    e = model.gaz.lookup("عمان")  # Oman and Amman
    assert e is not None and e.type == "LOC" and e.id is None


def test_data_files_name_their_sources():
    from importlib import resources

    for f in resources.files("streams.entities.data").iterdir():
        if f.name.endswith((".tsv", ".txt")):
            head = f.read_text(encoding="utf-8").splitlines()[0]
            assert head.startswith("#"), f.name


def test_matching_a_document_at_once_equals_sentence_by_sentence(model):
    """``match_many`` (the tagger's one pass over an article) gives each sentence the matches of
    ``match_keys``, with sentence offsets, whatever the sentence boundaries."""
    from streams.entities.tokenize import split_sentences

    g = model.gaz
    text = ("قال وزير الخارجية في حلف شمال الأطلسي إن الولايات المتحدة ستدعم العراق.\n"
            "وصل إلى بغداد ثم إلى مكة المكرمة وجدة. دونالد ترامب في واشنطن\nالرياض\n\nحلف شمال\nالأطلسي")
    sents = [s.tokens for s in split_sentences(text)]
    keys = [[model.token_keys(t) for t in toks] for toks in sents]
    first = [k[0] for ks in keys for k in ks]
    inner = [k[1] for ks in keys for k in ks]
    expected = [g.match_keys([k[0] for k in ks], [k[1] for k in ks]) for ks in keys]
    assert g.match_many(first, inner, [len(t) for t in sents]) == expected
    assert sum(map(len, expected)) >= 8 and any(j - i >= 3 for m in expected for i, j, _ in m)
