"""The doc._ extensions fazhi adds, declared once, and the typed objects behind them.

Relations are stored in ``doc.user_data`` as plain tuples (so they survive ``Doc.to_bytes``,
``DocBin`` and ``nlp.pipe(n_process=2)``) and read back as frozen `Relation` objects that
point at spans.
"""

from __future__ import annotations

from dataclasses import dataclass

from spacy.tokens import Doc, Span

RELATIONS_KEY = "fazhi_relations"


@dataclass(frozen=True)
class Relation:
    head: Span
    tail: Span
    label: str
    score: float = 1.0


@dataclass(frozen=True)
class Triple:
    measure: Span | None
    metric: Span
    value: Span
    institutions: tuple[Span, ...] = ()


def _span_key(span: Span) -> tuple[int, int, str]:
    return span.start_char, span.end_char, span.label_


def _find_span(doc: Doc, index: dict, start: int, end: int, label: str) -> Span:
    span = index.get((start, end, label))
    if span is None:
        span = doc.char_span(start, end, label=label)
    if span is None:
        raise ValueError(f"relation argument [{start},{end}) {label} does not align with tokens")
    return span


def get_relations(doc: Doc) -> list[Relation]:
    stored = doc.user_data.get(RELATIONS_KEY, [])
    if not stored:
        return []
    # the doc's own span objects, so that relations point at doc.ents / doc.spans["measure"]
    index = {_span_key(span): span for span in [*doc.ents, *doc.spans.get("measure", [])]}
    return [
        Relation(_find_span(doc, index, hs, he, hl), _find_span(doc, index, ts, te, tl), label, score)
        for (hs, he, hl, ts, te, tl, label, score) in stored
    ]


def set_relations(doc: Doc, relations) -> None:
    doc.user_data[RELATIONS_KEY] = [
        [*_span_key(r.head), *_span_key(r.tail), r.label, float(r.score)] for r in relations
    ]


def register_extensions() -> None:
    if not Doc.has_extension("relations"):
        Doc.set_extension("relations", getter=get_relations, setter=set_relations)


register_extensions()
