"""One extracted report as the JSONL record of ../shared/spec/output.md (schema_version 1)."""

from __future__ import annotations

from spacy.tokens import Doc, Span

from .ingest import Failure, Report
from .metadata import extract_metadata
from .metrics import ENT_SCORES_KEY
from .structure import ReportStructure, analyse
from .triples import NOT_DONE_KINDS, assemble_triples
from .values import normalize_value

SCHEMA_VERSION = 1
MEASURE_SCORES_ATTR = "scores"


def error_record(failure: Failure) -> dict:
    return {
        "schema_version": SCHEMA_VERSION, "doc_id": failure.doc_id, "source": failure.source,
        "status": "error", "error": failure.error, "meta": {}, "text": "",
        "entities": [], "relations": [], "triples": [],
    }


def report_record(report: Report, doc: Doc) -> dict:
    text = report.text  # the doc was made from it; Doc.text would join every token again
    structure = analyse(text)
    spans = _output_spans(doc, structure)
    ids = {(s.start_char, s.end_char, s.label_): i for i, (s, _) in enumerate(spans)}
    entities = [_entity(i, span, score, report, structure) for i, (span, score) in enumerate(spans)]
    relations = []
    for relation in doc._.relations:
        head, tail = ids.get(_key(relation.head)), ids.get(_key(relation.tail))
        if head is not None and tail is not None:
            relations.append({"head": head, "tail": tail, "label": relation.label, "score": round(relation.score, 4)})
    triples = []
    for triple in assemble_triples(doc):
        measure = ids.get(_key(triple.measure)) if triple.measure is not None else None
        if _key(triple.metric) not in ids or _key(triple.value) not in ids:
            continue
        sentence = structure.sentence_at(triple.metric.start_char)
        triples.append({
            "measure": measure,
            "metric": ids[_key(triple.metric)],
            "value": ids[_key(triple.value)],
            "institutions": [ids[_key(i)] for i in triple.institutions if _key(i) in ids],
            "sentence": text[sentence.start:sentence.end] if sentence else "",
        })
    return {
        "schema_version": SCHEMA_VERSION, "doc_id": report.doc_id, "source": report.source,
        "status": "ok", "error": None,
        "meta": {**extract_metadata(report.text, report.meta), "format": report.format},
        "text": report.text, "entities": entities, "relations": relations, "triples": triples,
    }


def _key(span: Span) -> tuple[int, int, str]:
    return span.start_char, span.end_char, span.label_


def _output_spans(doc: Doc, structure: ReportStructure) -> list[tuple[Span, float | None]]:
    """Measures (outside plan and problem sections: those are not done) and flat entities,
    in text order."""
    measures = doc.spans.get("measure")
    spans: list[tuple[Span, float | None]] = []
    if measures is not None:
        scores = measures.attrs.get(MEASURE_SCORES_ATTR)
        for i, span in enumerate(measures):
            if structure.section_at(span.start_char).kind in NOT_DONE_KINDS:
                continue
            spans.append((span, float(scores[i]) if scores is not None and i < len(scores) else None))
    ent_scores = doc.user_data.get(ENT_SCORES_KEY, {})
    for ent in doc.ents:
        spans.append((ent, ent_scores.get(f"{ent.start_char}:{ent.end_char}")))
    return sorted(spans, key=lambda pair: (pair[0].start_char, -pair[0].end_char, pair[0].label_))


def _entity(i: int, span: Span, score: float | None, report: Report, structure: ReportStructure) -> dict:
    source_start, source_end = report.normalized.source_span(span.start_char, span.end_char)
    entity = {
        "id": i, "label": span.label_, "text": span.text, "start": span.start_char, "end": span.end_char,
        "source_start": source_start, "source_end": source_end,
        "score": round(score, 4) if score is not None else None,
        "section_path": list(structure.section_path(span.start_char)),
    }
    if span.label_ == "VALUE":
        entity["value"] = normalize_value(span.text).to_dict()
    return entity
