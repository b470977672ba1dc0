"""Round trips of annotated documents through every exchange format are identities."""

import json

import pytest
import spacy

from fazhi.annotation import AnnotatedDoc, from_doccano, read_doccano, to_doccano, write_doccano
from fazhi.errors import InputError
from fazhi.evaluate import doc_to_annotated
from fazhi.prodigy import from_prodigy, read_prodigy, to_prodigy, write_prodigy
from fazhi.training.convert import to_doc
from fazhi.training.hf_dataset import from_row, load, save, to_dataset_dict

from conftest import ROOT

GOLD = ROOT / "annotations" / "gold" / "gold.jsonl"


def canonical(doc: AnnotatedDoc):
    by_id = {s.id: (s.start, s.end, s.label) for s in doc.spans}
    return (doc.doc_id, doc.text, sorted(by_id.values()),
            sorted((by_id[r.head], by_id[r.tail], r.label) for r in doc.relations))


@pytest.fixture(scope="module")
def seeds():
    """The seeds' gold: every label and relation type, and measures containing flat spans."""
    docs = [doc for _, doc in read_doccano(GOLD) if not doc.doc_id.startswith("r")]
    labels = {s.label for d in docs for s in d.spans}
    relations = {r.label for d in docs for r in d.relations}
    assert labels == {"MEASURE", "METRIC", "VALUE", "INSTITUTION"} and relations == {"HAS_VALUE", "MEASURED_BY", "INVOLVES"}
    assert any(m.start <= f.start and f.end <= m.end for d in docs for m in d.spans if m.label == "MEASURE"
               for f in d.spans if f.label != "MEASURE")
    return docs


@pytest.fixture(scope="module")
def nlp():
    return spacy.blank("zh")


def test_formats_doccano_round_trip(seeds, tmp_path):
    write_doccano(seeds, tmp_path / "a.jsonl")
    again = [doc for _, doc in read_doccano(tmp_path / "a.jsonl")]
    assert [canonical(d) for d in again] == [canonical(d) for d in seeds]
    assert [d.meta for d in again] == [d.meta for d in seeds]
    assert [to_doccano(d) for d in again] == [to_doccano(d) for d in seeds]


def test_formats_prodigy_round_trip(seeds, nlp, tmp_path):
    write_prodigy(seeds, tmp_path / "p.jsonl", nlp)
    again = [doc for _, doc in read_prodigy(tmp_path / "p.jsonl")]
    assert [canonical(d) for d in again] == [canonical(d) for d in seeds]
    record = to_prodigy(seeds[0], nlp)
    assert len(record["tokens"]) == len(nlp.make_doc(seeds[0].text))
    relation = record["relations"][0]
    assert relation["head"] == relation["head_span"]["token_end"]


def test_formats_docbin_round_trip(seeds, nlp, tmp_path):
    from spacy.tokens import DocBin

    bin_ = DocBin(store_user_data=True, docs=[to_doc(nlp, d) for d in seeds])
    bin_.to_disk(tmp_path / "gold.spacy")
    docs = list(DocBin().from_disk(tmp_path / "gold.spacy").get_docs(nlp.vocab))
    again = [doc_to_annotated(d.user_data["doc_id"], d) for d in docs]
    assert [canonical(d) for d in again] == [canonical(d) for d in seeds]


def test_formats_hf_dataset_round_trip(seeds, tmp_path):
    manifest = {"train": [seeds[0].doc_id, seeds[1].doc_id], "dev": [seeds[2].doc_id], "test": [d.doc_id for d in seeds[3:]]}
    save(to_dataset_dict(seeds, manifest), tmp_path)
    loaded = load(tmp_path)
    again = [from_row(row) for name in ("train", "dev", "test") for row in loaded[name]]
    assert [canonical(d) for d in again] == [canonical(d) for d in seeds]
    assert [d.meta for d in again] == [d.meta for d in seeds]
    import pandas

    assert len(pandas.read_parquet(tmp_path / "test.parquet")) == 2


def test_formats_prodigy_misaligned_span_names_file_line_and_span(seeds, nlp, tmp_path):
    record = to_prodigy(seeds[0], nlp)
    record["spans"][0]["end"] += 1
    path = tmp_path / "bad.jsonl"
    path.write_text("\n" + json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=rf"{path}:2: spans\[0\] \[\d+,\d+\) \w+ does not align with its tokens"):
        list(read_prodigy(path))


def test_formats_prodigy_relation_to_unknown_span(seeds, nlp):
    record = to_prodigy(seeds[0], nlp)
    record["relations"][0]["head_span"] = {"start": 0, "end": 1, "label": "METRIC"}
    with pytest.raises(InputError, match="relations\\[0\\] head_span \\[0,1\\) METRIC is not one of the task's spans"):
        from_prodigy(record, "x.jsonl:1")


def test_formats_doccano_record_without_entities_key_is_an_error():
    with pytest.raises(InputError, match="x.jsonl:4: not a Doccano record"):
        from_doccano({"text": "abc", "entities": [{"id": 1, "label": "VALUE"}]}, "x.jsonl:4")


def test_formats_docbin_misaligned_span_is_reported(nlp):
    from fazhi.annotation import SpanAnnotation
    from fazhi.errors import FazhiError

    doc = AnnotatedDoc("d1", "完成 3件", (SpanAnnotation(1, 3, "VALUE", 0),))
    with pytest.raises(FazhiError, match="d1: VALUE span 0 \\[1,3\\) '成 ' does not align"):
        to_doc(nlp, doc)
