from __future__ import annotations

from click.testing import CliRunner

from streams.cli.ner import ner
from streams.entities.model import Model, stage2_path



def test_reduced_training_runs_and_is_deterministic(tmp_path, ner_data):
    train = ner_data("anercorp-camel-train.txt")
    test = ner_data("anercorp-camel-test.txt")
    runner = CliRunner()
    outs = []
    for k in range(2):
        out = tmp_path / f"m{k}.crfsuite"
        r = runner.invoke(ner, ["train", "--train", str(train), "--out", str(out), "--seed", "7",
                                "--max-sentences", "300", "--max-iterations", "60"])
        assert r.exit_code == 0, r.output
        outs.append((out.read_bytes(), stage2_path(out).read_bytes()))
    assert outs[0] == outs[1]
    m = Model(tmp_path / "m0.crfsuite")
    assert len(m.stages) == 2
    labels, _ = m.tag("وصل الرئيس إلى بغداد".split())
    assert len(labels) == 4
    # a first-stage-only retrain at the same path removes the stale second stage
    r = runner.invoke(ner, ["train", "--train", str(train), "--out", str(tmp_path / "m1.crfsuite"), "--seed", "7",
                            "--max-sentences", "100", "--max-iterations", "20", "--stages", "1"])
    assert r.exit_code == 0, r.output
    assert not stage2_path(tmp_path / "m1.crfsuite").exists()
    r = runner.invoke(ner, ["eval", "--test", str(test), "--model", str(tmp_path / "m0.crfsuite"), "--json"])
    assert r.exit_code == 0, r.output
    import json

    figures = json.loads(r.output)
    assert 0.2 < figures["scores"]["overall"]["f1"] < 1.0  # learned something from 300 sentences
    assert figures["tokens_per_s"] > 0
