"""Overfitting, serialization and multiprocessing tests of the trainable pipeline, and a tiny
run of the whole weasel workflow."""

import shutil
import subprocess
import sys

import pytest
import spacy
from spacy.training import Example

from pipelines import GOLD, TEXT, gold_doc, relations_of

from conftest import ROOT

EXPECTED_ENTS = sorted((text, label) for text, label in GOLD["ents"])
EXPECTED_RELATIONS = sorted(GOLD["relations"])


def trained_pipeline(steps=120):
    config = spacy.util.load_config(ROOT / "configs" / "fazhi.cfg")
    config["components"]["tok2vec"]["model"]["encode"]["depth"] = 2
    config["components"]["tok2vec"]["model"]["encode"]["width"] = 64
    nlp = spacy.util.load_model_from_config(config, auto_fill=True, validate=True)

    def examples():
        return [Example(nlp.make_doc(TEXT), gold_doc(nlp))]

    optimizer = nlp.initialize(examples)
    for _ in range(steps):
        nlp.update(examples(), sgd=optimizer, losses={}, annotates=config["training"]["annotating_components"])
    return nlp


def predicted(nlp, text=TEXT):
    doc = nlp(text)
    return (sorted((e.text, e.label_) for e in doc.ents), sorted(m.text for m in doc.spans["measure"]), relations_of(doc))


@pytest.fixture(scope="module")
def nlp():
    return trained_pipeline()


def test_pipeline_overfits_entities_measures_and_relations(nlp):
    ents, measures, relations = predicted(nlp)
    assert ents == EXPECTED_ENTS
    assert measures == sorted(GOLD["measures"])
    assert relations == sorted((h, t, label) for h, t, label in EXPECTED_RELATIONS)


def test_pipeline_predictions_survive_to_disk_and_load(nlp, tmp_path):
    nlp.to_disk(tmp_path / "model")
    reloaded = spacy.load(tmp_path / "model")
    assert predicted(reloaded) == predicted(nlp)
    assert reloaded.pipe_names == nlp.pipe_names


def test_pipeline_doc_serialization_keeps_relations(nlp):
    from spacy.tokens import Doc, DocBin

    doc = nlp(TEXT)
    again = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    assert relations_of(again) == relations_of(doc)
    bin_ = DocBin(store_user_data=True)
    bin_.add(doc)
    (restored,) = DocBin().from_bytes(bin_.to_bytes()).get_docs(nlp.vocab)
    assert relations_of(restored) == relations_of(doc)


@pytest.mark.parametrize("n_process", [1, 2])
def test_pipeline_pipe_n_process(nlp, n_process):
    texts = [TEXT, TEXT.replace("4次", "5次"), "没有任何数字的一句话。"] * 2
    docs = list(nlp.pipe(texts, n_process=n_process, batch_size=2))
    single = [nlp(text) for text in texts]
    assert [relations_of(d) for d in docs] == [relations_of(d) for d in single]
    assert [[(e.text, e.label_) for e in d.ents] for d in docs] == [[(e.text, e.label_) for e in d.ents] for d in single]


def test_pipeline_measure_resolver_removes_overlaps():
    from spacy.tokens import SpanGroup

    nlp = spacy.blank("zh")
    resolver = nlp.add_pipe("fazhi_measure_resolver")
    doc = nlp.make_doc(TEXT)
    group = SpanGroup(doc, name="measure", spans=[doc[2:8], doc[0:8], doc[27:35]])
    group.attrs["scores"] = [[0.9], [0.6], [0.7]]
    doc.spans["measure"] = group
    doc = resolver(doc)
    assert [span.text for span in doc.spans["measure"]] == ["减少审批环节", TEXT[27:35]]
    assert doc.spans["measure"].attrs["scores"] == pytest.approx([0.9, 0.7])


def test_pipeline_clause_suggester_covers_clause_spans():
    from fazhi.suggesters import clause_candidates

    doc = spacy.blank("zh").make_doc("持续减少审批环节,不见面审批事项占比达到100%。")
    candidates = {doc[s:e].text for s, e in clause_candidates(doc, max_start=4, max_clauses=1, min_length=2)}
    assert "减少审批环节" in candidates
    assert "持续减少审批环节,不见面" not in candidates


def test_pipeline_workflow_runs_end_to_end(tmp_path):
    """`spacy project run all` on a few documents and a few steps, into a temporary folder."""
    work, model = tmp_path / "work", tmp_path / "model"
    command = [sys.executable, "-m", "spacy", "project", "run", "all", str(ROOT),
               "--vars.max_steps=10", "--vars.limit=2", f"--vars.work={work}", f"--vars.model={model}"]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    meta = spacy.load(model).meta
    assert meta["fazhi"]["training_data"]["sha256"]
    assert "FLAT_micro" in meta["fazhi"]["test_scores"]
    shutil.rmtree(tmp_path)


def test_pipeline_metric_candidates_surround_values():
    from fazhi.suggesters import metric_candidates

    nlp = spacy.blank("zh")
    text = "报备及时率、合法合规率达100%,召开4次联席会议。"
    doc = nlp.make_doc(text)
    candidates = {doc[s:e].text for s, e in metric_candidates(doc, back=24, forward=24)}
    assert {"报备及时率", "合法合规率", "联席会议"} <= candidates
    assert "100%" not in candidates


def test_pipeline_metric_candidates_before_a_bracketed_change():
    from fazhi.suggesters import metric_candidates

    text = "全区刑事立案数（同比下降13.4%）。"
    doc = spacy.blank("zh").make_doc(text)
    assert "刑事立案数" not in {doc[s:e].text for s, e in metric_candidates(doc, back=24, forward=24)}
    assert "刑事立案数" in {doc[s:e].text for s, e in metric_candidates(doc, back=24, forward=24, linkers="、和及与（(")}


def test_pipeline_metric_merger_replaces_ner_metrics():
    from spacy.tokens import SpanGroup

    nlp = spacy.blank("zh")
    merger = nlp.add_pipe("fazhi_metric_merger")
    text = "召开区政府常务会议22次。"
    doc = nlp.make_doc(text)
    doc.ents = [doc.char_span(2, 5, label="INSTITUTION"), doc.char_span(5, 9, label="METRIC"), doc.char_span(9, 12, label="VALUE")]
    group = SpanGroup(doc, name="metric", spans=[doc.char_span(2, 9, label="METRIC"), doc.char_span(3, 9, label="METRIC")])
    group.attrs["scores"] = [[0.9], [0.6]]
    doc.spans["metric"] = group
    doc = merger(doc)
    assert [(e.text, e.label_) for e in doc.ents] == [("区政府常务会议", "METRIC"), ("22次", "VALUE")]
    assert doc.user_data["fazhi_ent_scores"] == {"2:9": pytest.approx(0.9)}


@pytest.mark.parametrize("config_path", sorted((ROOT / "configs").rglob("*.cfg")), ids=lambda p: p.name)
def test_pipeline_every_config_builds(config_path):
    """Every shipped and ablation config resolves to a pipeline (registered names, settings)."""
    config = spacy.util.load_config(config_path)
    nlp = spacy.util.load_model_from_config(config, auto_fill=True, validate=True)
    assert nlp.pipe_names == config["nlp"]["pipeline"]
