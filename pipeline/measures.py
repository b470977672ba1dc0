"""Post-processing of predicted MEASURE spans: gold measures never overlap each other, so
overlapping predictions are resolved greedily by score (spancat's SpanGroup attrs)."""

from __future__ import annotations

import numpy
from spacy.tokens import Doc, SpanGroup

SCORES_ATTR = "scores"


def best_scores(group: SpanGroup) -> list[float]:
    """One score per span of a spancat SpanGroup (its best label's), 1.0 where none is stored."""
    scores = group.attrs.get(SCORES_ATTR)
    if scores is None or len(group) == 0:
        return [1.0] * len(group)
    return numpy.asarray(scores, dtype="f").reshape(len(group), -1).max(axis=1).tolist()


class MeasureResolver:
    def __init__(self, name: str, spans_key: str = "measure"):
        self.name = name
        self.spans_key = spans_key

    def __call__(self, doc: Doc) -> Doc:
        group = doc.spans.get(self.spans_key)
        if group is None or len(group) == 0:
            return doc
        scores = best_scores(group)
        order = sorted(range(len(group)), key=lambda i: (-scores[i], group[i].start))
        taken: set[int] = set()
        kept = []
        for i in order:
            span = group[i]
            if taken.isdisjoint(range(span.start, span.end)):
                kept.append(i)
                taken.update(range(span.start, span.end))
        kept.sort(key=lambda i: group[i].start)
        resolved = SpanGroup(doc, name=self.spans_key, spans=[group[i] for i in kept])
        resolved.attrs[SCORES_ATTR] = [scores[i] for i in kept]
        doc.spans[self.spans_key] = resolved
        return doc
