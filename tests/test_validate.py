import json

import pytest
from typer.testing import CliRunner

from fazhi.annotation import AnnotatedDoc, RelationAnnotation, SpanAnnotation, to_doccano
from fazhi.cli import app
from fazhi.validate import validate

TEXT = "全年共受理法律援助案件385件。区司法局召开会议。\n第二段有4次。"
# ids: 0 METRIC 受理法律援助案件, 1 VALUE 385件, 2 INSTITUTION 区司法局, 3 MEASURE 召开会议
GOOD_SPANS = [(3, 11, "METRIC", 0), (11, 15, "VALUE", 1), (16, 20, "INSTITUTION", 2), (20, 24, "MEASURE", 3)]
GOOD_RELATIONS = [(0, 1, "HAS_VALUE"), (3, 2, "INVOLVES")]


def make(spans=GOOD_SPANS, relations=GOOD_RELATIONS, text=TEXT):
    return AnnotatedDoc("d", text, tuple(SpanAnnotation(s, e, l, i) for s, e, l, i in spans),
                        tuple(RelationAnnotation(h, t, l) for h, t, l in relations))


def errors(doc):
    return [p.message for p in validate(doc, "f.jsonl:1") if p.severity == "error"]


def test_validate_good_document_has_no_errors():
    assert errors(make()) == []


@pytest.mark.parametrize(
    "spans,relations,message",
    [
        (GOOD_SPANS + [(16, 19, "INSTITUTION", 4)], GOOD_RELATIONS, "overlaps INSTITUTION span 2"),
        (GOOD_SPANS + [(0, 3, "PERSON", 4)], GOOD_RELATIONS, "unknown label 'PERSON'"),
        (GOOD_SPANS + [(20, 20, "MEASURE", 4)], GOOD_RELATIONS, "is empty or outside the text"),
        (GOOD_SPANS + [(30, 99, "MEASURE", 4)], GOOD_RELATIONS, "is empty or outside the text"),
        (GOOD_SPANS + [(11, 17, "MEASURE", 4)], GOOD_RELATIONS, "crosses a sentence end at offset 15"),
        (GOOD_SPANS + [(3, 11, "INSTITUTION", 0)], GOOD_RELATIONS, "span id 0 is used 2 times"),
        (GOOD_SPANS, GOOD_RELATIONS + [(1, 0, "HAS_VALUE")], "links VALUE -> METRIC; HAS_VALUE goes METRIC -> VALUE"),
        (GOOD_SPANS, GOOD_RELATIONS + [(0, 1, "CAUSES")], "has unknown type"),
        (GOOD_SPANS, GOOD_RELATIONS + [(0, 9, "HAS_VALUE")], "points at span 9, which does not exist"),
        (GOOD_SPANS, GOOD_RELATIONS + [(0, 1, "HAS_VALUE")], "is given twice"),
        (GOOD_SPANS + [(30, 32, "VALUE", 4)], GOOD_RELATIONS + [(0, 4, "HAS_VALUE")], "across paragraphs"),
        (GOOD_SPANS + [(20, 24, "METRIC", 4)], GOOD_RELATIONS, "has no VALUE in its sentence"),
        (GOOD_SPANS + [(0, 11, "MEASURE", 4)], GOOD_RELATIONS + [(3, 0, "MEASURED_BY"), (4, 0, "MEASURED_BY")], "MEASURED_BY 2 measures"),
        (GOOD_SPANS + [(15, 20, "MEASURE", 4)], GOOD_RELATIONS, "crosses a sentence end"),
        ([(2, 11, "METRIC", 0)] + GOOD_SPANS[1:] + [(2, 11, "METRIC", 5)], GOOD_RELATIONS, "is annotated twice"),
    ],
)
def test_validate_reports_invalid_annotation(spans, relations, message):
    found = errors(make(spans, relations))
    assert any(message in m for m in found), found


def test_validate_whitespace_at_span_edge():
    doc = make([(0, 4, "METRIC", 0), (4, 6, "VALUE", 1)], [(0, 1, "HAS_VALUE")], text="完成任务 3件。")
    assert any("white space" in m for m in errors(doc))


def test_validate_cli_names_file_and_line_and_fails(tmp_path):
    path = tmp_path / "bad.jsonl"
    good = json.dumps(to_doccano(make()), ensure_ascii=False)
    bad = json.dumps(to_doccano(make(GOOD_SPANS + [(0, 3, "PERSON", 4)])), ensure_ascii=False)
    path.write_text(good + "\n" + bad + "\n{oops\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["annotate", "validate", str(path)])
    assert result.exit_code == 1
    assert f"{path}:2: error: span 4 has unknown label 'PERSON'" in result.output
    assert f"{path}:3: not JSON" in result.output


def test_validate_gold_corpus_files_all_validate():
    from conftest import ROOT

    result = CliRunner().invoke(app, ["annotate", "validate", str(ROOT / "annotations" / "gold" / "gold.jsonl")])
    assert result.exit_code == 0, result.output[-2000:]
    assert "225 documents, 0 errors" in result.output
