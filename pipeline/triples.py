"""Measure–metric–value triples (schema, "Triples") from a doc's spans and relations."""

from __future__ import annotations

from spacy.tokens import Doc, Span

from .extensions import Triple

NOT_DONE_KINDS = ("plans", "problems")


def _key(span: Span) -> tuple[int, int, str]:
    return span.start_char, span.end_char, span.label_


def assemble_triples(doc: Doc) -> list[Triple]:
    """(MEASURE, METRIC, VALUE) joined by MEASURED_BY and HAS_VALUE; a METRIC with a value
    but no measure gives (None, METRIC, VALUE). Institutions are the measure's INVOLVES."""
    relations = doc._.relations
    measure_of = {_key(r.tail): r.head for r in sorted(relations, key=lambda r: -r.score) if r.label == "MEASURED_BY"}
    institutions: dict[tuple, list[Span]] = {}
    for relation in relations:
        if relation.label == "INVOLVES":
            institutions.setdefault(_key(relation.head), []).append(relation.tail)
    triples = []
    for relation in relations:
        if relation.label != "HAS_VALUE":
            continue
        measure = measure_of.get(_key(relation.head))
        involved = tuple(institutions.get(_key(measure), ())) if measure is not None else ()
        triples.append(Triple(measure, relation.head, relation.tail, involved))
    return sorted(triples, key=lambda t: (t.metric.start_char, t.value.start_char))
