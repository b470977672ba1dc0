"""METRIC spans from the value-anchored span categorizer replace the `ner` METRIC guesses.

The span categorizer scores candidates built around each value (suggesters.metric_candidates),
so a METRIC is judged together with the value it names. The merger keeps the best-scored
non-overlapping ones, drops ner's METRICs, and lets a METRIC win over an INSTITUTION it
contains (schema decision) while never overwriting a VALUE.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from .measures import best_scores

# Scores of flat entities by "start:end" (plain strings and floats survive Doc serialization);
# read by records.py for the output's entity scores.
ENT_SCORES_KEY = "fazhi_ent_scores"


class MetricMerger:
    def __init__(self, name: str, spans_key: str = "metric"):
        self.name = name
        self.spans_key = spans_key

    def __call__(self, doc: Doc) -> Doc:
        group = doc.spans.get(self.spans_key)
        if group is None:
            return doc
        return merge_metrics(doc, list(zip(group, best_scores(group))))


def merge_metrics(doc: Doc, scored: list[tuple[Span, float]]) -> Doc:
    """Put the best-scored non-overlapping METRIC spans into doc.ents in place of the ones
    already there; a METRIC wins over an INSTITUTION it overlaps, never over a VALUE."""
    values = [e for e in doc.ents if e.label_ == "VALUE"]
    taken = {i for v in values for i in range(v.start, v.end)}
    metrics = []
    ent_scores = doc.user_data.setdefault(ENT_SCORES_KEY, {})
    for span, score in sorted(scored, key=lambda item: -item[1]):
        if taken.isdisjoint(range(span.start, span.end)):
            metrics.append(span)
            taken.update(range(span.start, span.end))
            ent_scores[f"{span.start_char}:{span.end_char}"] = float(score)
    kept = [e for e in doc.ents if e.label_ == "VALUE" or
            (e.label_ == "INSTITUTION" and all(e.end <= m.start or m.end <= e.start for m in metrics))]
    doc.ents = filter_spans(kept + metrics)
    return doc
