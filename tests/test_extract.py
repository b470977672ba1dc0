import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import spacy
from typer.testing import CliRunner

from fazhi.cli import app
from fazhi.extract import done_keys, extract
from fazhi.tables import read_tables

from conftest import ROOT



@pytest.fixture(scope="module")
def rules_model(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "rules"
    nlp = spacy.blank("zh")
    nlp.add_pipe("fazhi_rules")
    nlp.to_disk(path)
    return path


def read_jsonl(path):
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]


def test_extract_record_follows_the_output_contract(rules_model, tmp_path):
    out = tmp_path / "out.jsonl"
    summary = extract([ROOT / "seeds" / "004_8a1a0682e2ba6701.txt"], out, spacy.load(rules_model))
    (record,) = read_jsonl(out)
    assert summary.written == 1
    assert set(record) >= {"schema_version", "doc_id", "source", "status", "error", "meta", "text", "entities", "relations", "triples"}
    assert (record["schema_version"], record["status"], record["error"]) == (1, "ok", None)
    source = (ROOT / "seeds" / "004_8a1a0682e2ba6701.txt").read_text(encoding="utf-8")
    ids = {e["id"] for e in record["entities"]}
    for entity in record["entities"]:
        assert record["text"][entity["start"]:entity["end"]] == entity["text"]
        original = source[entity["source_start"]:entity["source_end"]]
        assert original.strip(), entity
        assert isinstance(entity["section_path"], list)
        if entity["label"] == "VALUE":
            assert set(entity["value"]) == {"number", "unit", "approximate", "bound", "kind"}
    for relation in record["relations"]:
        assert {relation["head"], relation["tail"]} <= ids
    for triple in record["triples"]:
        assert triple["metric"] in ids and triple["value"] in ids and (triple["measure"] is None or triple["measure"] in ids)


def test_extract_source_offsets_point_into_traditional_source(rules_model, tmp_path):
    out = tmp_path / "out.jsonl"
    seed = ROOT / "seeds" / "004_8a1a0682e2ba6701.txt"
    extract([seed], out, spacy.load(rules_model))
    (record,) = read_jsonl(out)
    source = seed.read_text(encoding="utf-8")
    from fazhi.normalize import normalize

    for entity in record["entities"]:
        assert normalize(source[entity["source_start"]:entity["source_end"]]).text == entity["text"]


def test_extract_one_record_per_input_including_errors(rules_model, tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("全年共受理法律援助案件385件。", encoding="utf-8")
    (tmp_path / "in" / "b.txt").write_bytes(b"")
    (tmp_path / "in" / "c.pdf").write_bytes(b"%PDF-1.4 broken")
    corpus = tmp_path / "in" / "d.jsonl"
    corpus.write_text('{"id": "x1", "text": "召开会议3次。"}\nnot json\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    extract([tmp_path / "in", tmp_path / "missing.txt"], out, spacy.load(rules_model))
    records = read_jsonl(out)
    assert [(r["doc_id"], r["status"]) for r in records] == [
        ("a", "ok"), ("b", "error"), ("c", "error"), ("x1", "ok"), ("d:2", "error"), ("missing", "error")]
    for record in records:
        if record["status"] == "error":
            assert record["error"] and record["entities"] == [] and record["triples"] == []


def test_extract_refuses_to_overwrite_without_resume(rules_model, tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text('{"doc_id": "a", "source": "s"}\n', encoding="utf-8")
    from fazhi.errors import FazhiError

    with pytest.raises(FazhiError, match="pass --resume"):
        extract([ROOT / "seeds"], out, spacy.load(rules_model))


def test_extract_resume_drops_a_partial_last_line(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text('{"doc_id": "a", "source": "s1"}\n{"doc_id": "b", "sou', encoding="utf-8")
    assert done_keys(out) == {("a", "s1")}
    assert out.read_text(encoding="utf-8") == '{"doc_id": "a", "source": "s1"}\n'


@pytest.mark.parametrize("n_process", [1, 2])
def test_extract_killed_and_resumed_leaves_every_document_once(rules_model, tmp_path, n_process):
    folder = tmp_path / "reports"
    folder.mkdir()
    text = (ROOT / "seeds" / "000_ad861a48ebe72b45.txt").read_text(encoding="utf-8")
    for i in range(300):
        (folder / f"r{i:03d}.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    command = [sys.executable, "-m", "fazhi", "extract", str(folder), "-o", str(out), "--model", str(rules_model), "--quiet",
               "--n-process", str(n_process)]
    process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and (not out.exists() or out.read_bytes().count(b"\n") < 20):
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    time.sleep(0.5)
    orphans = subprocess.run(["pgrep", "-f", str(out)], capture_output=True, text=True).stdout.split()
    assert orphans == [], "workers outlived the killed job"
    written_before = out.read_bytes().count(b"\n")
    assert 20 <= written_before < 300, "the run was not interrupted mid-way"
    subprocess.run(command + ["--resume"], check=True, stderr=subprocess.DEVNULL)
    ids = [record["doc_id"] for record in read_jsonl(out)]
    assert sorted(ids) == [f"r{i:03d}" for i in range(300)]
    assert len(ids) == len(set(ids)) == 300


def test_extract_cli_writes_tables_and_pandas_api(rules_model, tmp_path):
    out = tmp_path / "seeds.jsonl"
    result = CliRunner().invoke(app, ["extract", str(ROOT / "seeds"), "-o", str(out), "--model", str(rules_model), "--tables", "csv", "-q"])
    assert result.exit_code == 0, result.output
    tables = read_tables(out)
    assert set(tables) == {"triples", "measures", "metrics", "institutions"}
    assert len(tables["triples"]) > 0 and (tmp_path / "seeds.triples.csv").exists()
    assert set(tables["triples"]["doc_id"]) <= {p.stem for p in (ROOT / "seeds").glob("*.txt")}


@pytest.mark.parametrize("n_process", [1, 2])
def test_extract_n_process_gives_the_same_records(rules_model, tmp_path, n_process):
    out = tmp_path / f"out{n_process}.jsonl"
    extract([ROOT / "seeds"], out, spacy.load(rules_model), n_process=n_process, batch_size=2)
    reference = tmp_path / "reference.jsonl"
    extract([ROOT / "seeds"], reference, spacy.load(rules_model))
    assert read_jsonl(out) == read_jsonl(reference)


def test_extract_every_bad_input_gives_an_error_record(rules_model, tmp_path):
    from test_ingest import BAD_FILES

    from documents import write_pdf, write_zip_bomb

    folder = tmp_path / "bad"
    folder.mkdir()
    for name, data, _ in BAD_FILES:
        (folder / name).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    write_zip_bomb(folder / "bomb.docx", megabytes=250)
    write_pdf(folder / "secret.pdf", "Report text layer", password="pw")
    write_pdf(folder / "scan.pdf")
    with open(folder / "huge.txt", "wb") as out:
        out.truncate(50 * 2**20)
    (folder / "lines.jsonl").write_text('{"id": "ok", "text": "召开会议3次。"}\n{broken\n{"id": "t"}\n', encoding="utf-8")
    (tmp_path / "empty_dir").mkdir()
    out = tmp_path / "out.jsonl"
    summary = extract([folder, tmp_path / "empty_dir", tmp_path / "missing.txt"], out, spacy.load(rules_model))
    records = read_jsonl(out)
    expected_inputs = len(BAD_FILES) + 4 + 3 + 1 + 1  # files, built files, jsonl lines, empty folder, missing path
    assert len(records) == summary.written == expected_inputs
    errors = [r for r in records if r["status"] == "error"]
    assert len(errors) == expected_inputs - 1  # only the good JSONL line succeeds
    assert all(r["error"] for r in errors)


@spacy.Language.component("test_dies_on_marker")
def _dies_on_marker(doc):
    """Kills its own process on a marked text, as the OOM killer or a native crash would."""
    if "致命标记" in doc.text:
        os.kill(os.getpid(), signal.SIGKILL)
    return doc


def test_extract_survives_a_worker_that_dies(rules_model, tmp_path):
    """A document that kills its worker gets an error record; every other document of the
    batches that were in flight is redone, and the job finishes."""
    corpus = tmp_path / "corpus.jsonl"
    texts = [f"第{i}份报告:受理法律援助案件{i}件。" for i in range(10)]
    texts[5] = "致命标记:受理法律援助案件5件。"
    corpus.write_text("".join(json.dumps({"id": f"d{i}", "text": t}, ensure_ascii=False) + "\n" for i, t in enumerate(texts)),
                      encoding="utf-8")
    nlp = spacy.load(rules_model)
    nlp.add_pipe("test_dies_on_marker")
    out = tmp_path / "out.jsonl"
    summary = extract([corpus], out, nlp, n_process=2, batch_size=2)
    records = read_jsonl(out)
    assert [r["doc_id"] for r in records] == [f"d{i}" for i in range(10)]
    assert [r["status"] for r in records] == ["ok"] * 5 + ["error"] + ["ok"] * 4
    assert "worker process died" in records[5]["error"]
    assert summary.errors == 1 and summary.written == 10
