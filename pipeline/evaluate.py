"""`fazhi evaluate`: gold Doccano JSONL against predictions (an extract JSONL, or a model run
on the gold texts), with per-label P/R/F1, bootstrap intervals and the worst errors."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Iterable

from .annotation import AnnotatedDoc, RelationAnnotation, SpanAnnotation, iter_jsonl, read_doccano
from .errors import FazhiError
from .scoring import DocScore, markdown_table, score_doc, summarize


def record_to_annotated(record: dict) -> AnnotatedDoc:
    """An extract JSONL record as an AnnotatedDoc (entity ids are kept)."""
    spans = tuple(SpanAnnotation(e["start"], e["end"], e["label"], e["id"]) for e in record["entities"])
    relations = tuple(RelationAnnotation(r["head"], r["tail"], r["label"], i) for i, r in enumerate(record["relations"]))
    return AnnotatedDoc(record["doc_id"], record["text"], spans, relations)


def doc_to_annotated(doc_id: str, doc) -> AnnotatedDoc:
    """A processed spaCy Doc as an AnnotatedDoc."""
    spans = list(doc.ents) + list(doc.spans.get("measure", []))
    ids = {(s.start_char, s.end_char, s.label_): i for i, s in enumerate(spans)}
    relations = []
    for relation in doc._.relations:
        head = ids.get((relation.head.start_char, relation.head.end_char, relation.head.label_))
        tail = ids.get((relation.tail.start_char, relation.tail.end_char, relation.tail.label_))
        if head is not None and tail is not None:
            relations.append(RelationAnnotation(head, tail, relation.label, len(relations)))
    return AnnotatedDoc(
        doc_id, doc.text,
        tuple(SpanAnnotation(s.start_char, s.end_char, s.label_, i) for i, s in enumerate(spans)),
        tuple(relations),
    )


def predict_with_model(nlp, gold: Iterable[AnnotatedDoc], batch_size: int = 8) -> list[AnnotatedDoc]:
    gold = list(gold)
    docs = nlp.pipe((g.text for g in gold), batch_size=batch_size)
    return [doc_to_annotated(g.doc_id, doc) for g, doc in zip(gold, docs)]


def read_predictions(path: Path) -> dict[str, AnnotatedDoc]:
    return {record["doc_id"]: record_to_annotated(record) for _, record in iter_jsonl(path) if record.get("status") == "ok"}


def evaluate(gold: list[AnnotatedDoc], predictions: dict[str, AnnotatedDoc], n_bootstrap: int = 1000) -> tuple[dict, list[DocScore]]:
    missing = [g.doc_id for g in gold if g.doc_id not in predictions]
    if missing:
        raise FazhiError(f"{len(missing)} gold documents have no prediction (first: {missing[:5]}); "
                         "a document that failed to extract counts as missing, so fix it or drop it from the gold file")
    scores = [score_doc(g, predictions[g.doc_id]) for g in gold]
    return summarize(scores, n_bootstrap=n_bootstrap), scores


def read_gold_file(path: Path, ids: set[str] | None = None) -> list[AnnotatedDoc]:
    return [doc for _, doc in read_doccano(path) if ids is None or doc.doc_id in ids]


def report_markdown(summary: dict, scores: list[DocScore], title: str, worst: int = 30) -> str:
    errors = [e for s in scores for e in s.errors]
    frequent = Counter((e["kind"], e["label"], e["text"]) for e in errors).most_common(worst)
    by_doc = sorted(scores, key=lambda s: -sum(row[1] + row[2] for row in s.counts.values()))[:10]
    lines = [f"# {title}", "", f"{len(scores)} documents.", "", markdown_table(summary), "",
             "## Most frequent errors", "", "| kind | label | text | times |", "|---|---|---|---|"]
    lines += [f"| {kind} | {label} | {text} | {n} |" for (kind, label, text), n in frequent]
    lines += ["", "## Documents with the most errors", "", "| doc | fp + fn |", "|---|---|"]
    lines += [f"| {s.doc_id} | {sum(row[1] + row[2] for row in s.counts.values())} |" for s in by_doc]
    return "\n".join(lines) + "\n"
