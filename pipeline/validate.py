"""Checks of annotated documents against ../shared/spec/schema.md.

Every problem names where it is (file:line), the span or relation, and what to do.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from .annotation import AnnotatedDoc, SpanAnnotation
from .schema import FLAT_LABELS, RELATIONS, SPAN_LABELS
from .structure import SENTENCE_ENDS, analyse


@dataclass(frozen=True)
class Problem:
    where: str
    message: str
    severity: str = "error"  # or "warning"

    def __str__(self) -> str:
        return f"{self.where}: {self.severity}: {self.message}"


def describe(doc: AnnotatedDoc, span: SpanAnnotation) -> str:
    return f"{span.label} span {span.id} [{span.start},{span.end}) {doc.span_text(span)!r}"


def validate(doc: AnnotatedDoc, where: str) -> list[Problem]:
    problems: list[Problem] = []

    def report(message: str, severity: str = "error") -> None:
        problems.append(Problem(where, message, severity))

    valid = _check_spans(doc, report)
    by_id = {span.id: span for span in valid}
    _check_flat_overlaps(doc, valid, report)
    structure = analyse(doc.text)
    for span in valid:
        inner = doc.text[span.start:span.end]
        crossing = [i for i, ch in enumerate(inner[:-1]) if ch in SENTENCE_ENDS or ch == "\n"]
        if crossing:
            report(f"{describe(doc, span)} crosses a sentence end at offset {span.start + crossing[0]}; split it or end it before the punctuation")
    _check_relations(doc, by_id, structure, report)
    _check_metrics_have_values(doc, valid, structure, report)
    return problems


def _check_spans(doc: AnnotatedDoc, report) -> list[SpanAnnotation]:
    valid = []
    for span_id, count in Counter(span.id for span in doc.spans).items():
        if count > 1:
            report(f"span id {span_id} is used {count} times; give every span its own id")
    seen = set()
    for span in doc.spans:
        if span.label not in SPAN_LABELS:
            report(f"span {span.id} has unknown label {span.label!r}; use one of {', '.join(SPAN_LABELS)}")
            continue
        if not 0 <= span.start < span.end <= len(doc.text):
            report(f"{span.label} span {span.id} [{span.start},{span.end}) is empty or outside the text of {len(doc.text)} characters")
            continue
        text = doc.span_text(span)
        if text != text.strip():
            report(f"{describe(doc, span)} starts or ends with white space; trim it")
        key = (span.start, span.end, span.label)
        if key in seen:
            report(f"{describe(doc, span)} is annotated twice; delete one")
        seen.add(key)
        valid.append(span)
    return valid


def _check_flat_overlaps(doc: AnnotatedDoc, spans: list[SpanAnnotation], report) -> None:
    flat = sorted(span for span in spans if span.label in FLAT_LABELS)
    for left, right in zip(flat, flat[1:]):
        if right.start < left.end:
            report(
                f"{describe(doc, left)} overlaps {describe(doc, right)}; METRIC, VALUE and INSTITUTION never "
                "overlap (a METRIC wins over an INSTITUTION it contains)"
            )


def _check_relations(doc: AnnotatedDoc, by_id: dict, structure, report) -> None:
    measures_of_metric: dict[int, list[int]] = defaultdict(list)
    seen = set()
    for relation in doc.relations:
        name = f"relation {relation.label} {relation.head}->{relation.tail}"
        if relation.label not in RELATIONS:
            report(f"{name} has unknown type; use one of {', '.join(RELATIONS)}")
            continue
        head, tail = by_id.get(relation.head), by_id.get(relation.tail)
        if head is None or tail is None:
            missing = relation.head if head is None else relation.tail
            report(f"{name} points at span {missing}, which does not exist")
            continue
        expected = RELATIONS[relation.label]
        if (head.label, tail.label) != expected:
            report(f"{name} links {head.label} -> {tail.label}; {relation.label} goes {expected[0]} -> {expected[1]}")
            continue
        if (relation.head, relation.tail, relation.label) in seen:
            report(f"{name} is given twice; delete one")
        seen.add((relation.head, relation.tail, relation.label))
        if structure.paragraph_index(head.start) != structure.paragraph_index(tail.start):
            report(f"{name} joins {describe(doc, head)} and {describe(doc, tail)} across paragraphs; relations stay inside one paragraph")
        if relation.label == "MEASURED_BY":
            measures_of_metric[relation.tail].append(relation.head)
    for metric_id, measures in measures_of_metric.items():
        if len(set(measures)) > 1:
            report(f"{describe(doc, by_id[metric_id])} is MEASURED_BY {len(set(measures))} measures {sorted(set(measures))}; keep the one it reports on (at most one)")


def _check_metrics_have_values(doc: AnnotatedDoc, spans, structure, report) -> None:
    values = [span for span in spans if span.label == "VALUE"]
    for metric in (span for span in spans if span.label == "METRIC"):
        sentence = structure.sentence_at(metric.start)
        if sentence is None:
            continue
        if not any(sentence.start <= value.start < sentence.end for value in values):
            report(f"{describe(doc, metric)} has no VALUE in its sentence; a quantity named without a value is not a METRIC")
    has_value = {r.head for r in doc.relations if r.label == "HAS_VALUE"}
    for metric in (span for span in spans if span.label == "METRIC"):
        if metric.id not in has_value:
            report(f"{describe(doc, metric)} has no HAS_VALUE relation; link it to its VALUE", "warning")
    valued = {r.tail for r in doc.relations if r.label == "HAS_VALUE"}
    for value in (span for span in spans if span.label == "VALUE"):
        if value.id not in valued:
            report(f"{describe(doc, value)} is the value of no METRIC", "warning")
