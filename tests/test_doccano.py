"""Doccano integration against a real Doccano 1.8.4 server started on 127.0.0.1 (no mocks)."""

import json

import pytest
from typer.testing import CliRunner

from fazhi.annotation import AnnotatedDoc, RelationAnnotation, SpanAnnotation, read_doccano, write_doccano
from fazhi.cli import app
from fazhi.doccano import Credentials, DoccanoClient, DoccanoError, pull, push, setup_project
from fazhi.schema import RELATIONS, SPAN_LABELS

from conftest import ROOT
from doccano_server import DoccanoServer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = DoccanoServer(tmp_path_factory.mktemp("doccano")).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def client(server):
    return DoccanoClient(Credentials(server.url, server.username, server.password))


@pytest.fixture(scope="module")
def gold_sample():
    docs = {doc.doc_id: doc for _, doc in read_doccano(ROOT / "annotations" / "gold" / "gold.jsonl")}
    return [docs["000_ad861a48ebe72b45"], docs["r001"], docs["r121"]]


def canonical(doc):
    by_id = {s.id: (s.start, s.end, s.label) for s in doc.spans}
    return doc.doc_id, doc.text, sorted(by_id.values()), sorted((by_id[r.head], by_id[r.tail], r.label) for r in doc.relations)


def test_doccano_setup_creates_labels_and_relation_types(client):
    project = setup_project(client, "setup test", "guidelines text")
    assert set(client.types(project, "span-types")) == set(SPAN_LABELS)
    assert set(client.types(project, "relation-types")) == set(RELATIONS)


def test_doccano_push_with_pre_annotations_then_pull_is_lossless(client, gold_sample, tmp_path):
    project = setup_project(client, "round trip", "g")
    assert push(client, project, gold_sample) == 3
    pulled = pull(client, project, tmp_path / "pulled.jsonl")
    assert sorted(map(canonical, pulled)) == sorted(map(canonical, gold_sample))
    on_disk = [doc for _, doc in read_doccano(tmp_path / "pulled.jsonl")]
    assert sorted(map(canonical, on_disk)) == sorted(map(canonical, gold_sample))
    assert {d.doc_id: d.meta["annotator"] for d in on_disk}["r001"] == gold_sample[1].meta["annotator"]


def test_doccano_annotations_added_through_the_api_come_back(client, tmp_path):
    project = setup_project(client, "annotator", "g")
    text = "全年共受理法律援助案件385件。"
    push(client, project, [AnnotatedDoc("a1", text)])
    (example,) = list(client.examples(project))
    types, relation_types = client.types(project, "span-types"), client.types(project, "relation-types")
    metric = client.create_span(project, example["id"], types["METRIC"], 3, 11)
    value = client.create_span(project, example["id"], types["VALUE"], 11, 15)
    measure = client.create_span(project, example["id"], types["MEASURE"], 3, 15)
    client.create_relation(project, example["id"], metric, value, relation_types["HAS_VALUE"])
    client.create_relation(project, example["id"], measure, metric, relation_types["MEASURED_BY"])
    (pulled,) = pull(client, project, tmp_path / "a.jsonl")
    expected = AnnotatedDoc("a1", text, (SpanAnnotation(3, 11, "METRIC", 0), SpanAnnotation(11, 15, "VALUE", 1), SpanAnnotation(3, 15, "MEASURE", 2)),
                            (RelationAnnotation(0, 1, "HAS_VALUE"), RelationAnnotation(2, 0, "MEASURED_BY")))
    assert canonical(pulled) == canonical(expected)


def test_doccano_failed_pull_leaves_the_previous_file(client, tmp_path):
    project = setup_project(client, "invalid", "g")
    text = "召开会议。"
    push(client, project, [AnnotatedDoc("bad", text, (SpanAnnotation(0, 4, "METRIC", 0),))])  # a METRIC with no VALUE
    out = tmp_path / "keep.jsonl"
    write_doccano([AnnotatedDoc("old", "旧文本")], out)
    before = out.read_bytes()
    with pytest.raises(DoccanoError, match="does not validate; .* was left unchanged") as error:
        pull(client, project, out)
    assert "has no VALUE in its sentence" in str(error.value)
    assert out.read_bytes() == before


def test_doccano_examples_are_paginated(client):
    project = setup_project(client, "pages", "g")
    push(client, project, [AnnotatedDoc(f"p{i}", f"第{i}篇报告。") for i in range(12)])
    assert len(list(client._paginate(f"/v1/projects/{project}/examples", page_size=5))) == 12


def test_doccano_wrong_password_is_a_clear_error_without_the_password(server):
    with pytest.raises(DoccanoError, match="refused the login: wrong username or password") as error:
        DoccanoClient(Credentials(server.url, server.username, "not-the-password"))
    assert "not-the-password" not in str(error.value)


def test_doccano_unreachable_server_is_a_clear_error():
    with pytest.raises(DoccanoError, match="cannot reach the Doccano server at http://127.0.0.1:9"):
        DoccanoClient(Credentials("http://127.0.0.1:9", "u", "p"), timeout=5)


def test_doccano_credentials_never_show_the_password(monkeypatch, tmp_path):
    monkeypatch.setenv("FAZHI_DOCCANO_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("FAZHI_DOCCANO_USERNAME", "u")
    monkeypatch.setenv("FAZHI_DOCCANO_PASSWORD", "s3cret")
    assert "s3cret" not in repr(Credentials.load())
    monkeypatch.delenv("FAZHI_DOCCANO_PASSWORD")
    config = tmp_path / "doccano.json"
    config.write_text(json.dumps({"password": "from-file"}), encoding="utf-8")
    assert Credentials.load(config).password == "from-file"
    with pytest.raises(DoccanoError, match="missing Doccano password"):
        Credentials.load()


def test_doccano_cli_setup_push_pull(server, gold_sample, tmp_path, monkeypatch):
    monkeypatch.setenv("FAZHI_DOCCANO_URL", server.url)
    monkeypatch.setenv("FAZHI_DOCCANO_USERNAME", server.username)
    monkeypatch.setenv("FAZHI_DOCCANO_PASSWORD", server.password)
    runner = CliRunner()
    result = runner.invoke(app, ["doccano", "setup", "--name", "cli", "--guidelines", str(ROOT / "annotations" / "GUIDELINES.md")])
    assert result.exit_code == 0, result.output
    project = int(result.output.split()[-1])
    source = tmp_path / "in.jsonl"
    write_doccano(gold_sample[1:], source)
    assert runner.invoke(app, ["doccano", "push", str(project), str(source)]).exit_code == 0
    result = runner.invoke(app, ["doccano", "pull", str(project), "-o", str(tmp_path / "out.jsonl")])
    assert result.exit_code == 0, result.output
    assert server.password not in result.output
    pulled = [doc for _, doc in read_doccano(tmp_path / "out.jsonl")]
    assert sorted(map(canonical, pulled)) == sorted(map(canonical, gold_sample[1:]))


def test_doccano_push_model_predictions_as_pre_annotations(client, tmp_path, monkeypatch, server):
    import spacy

    nlp = spacy.blank("zh")
    nlp.add_pipe("fazhi_rules")
    nlp.to_disk(tmp_path / "model")
    project = setup_project(client, "predictions", "g")
    monkeypatch.setenv("FAZHI_DOCCANO_URL", server.url)
    monkeypatch.setenv("FAZHI_DOCCANO_USERNAME", server.username)
    monkeypatch.setenv("FAZHI_DOCCANO_PASSWORD", server.password)
    report = tmp_path / "r.txt"
    report.write_text("一、主要成效\n持续减少审批环节,不见面审批事项占比达到100%。", encoding="utf-8")
    result = CliRunner().invoke(app, ["doccano", "push", str(project), str(report), "--predict", "--model", str(tmp_path / "model")])
    assert result.exit_code == 0, result.output
    (pulled,) = pull(client, project, tmp_path / "out.jsonl")
    labels = {(pulled.text[s.start:s.end], s.label) for s in pulled.spans}
    assert {("减少审批环节", "MEASURE"), ("100%", "VALUE")} <= labels
    assert any(r.label == "HAS_VALUE" for r in pulled.relations)
