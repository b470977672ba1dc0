"""Scores of predicted against gold annotation, per document, with bootstrap intervals.

- Flat labels (METRIC, VALUE, INSTITUTION) and MEASURE: strict (same offsets and label).
- MEASURE also by overlap: one-to-one matching of overlapping spans, largest overlap first.
- Relations end to end: a relation is right when its label is right and both arguments
  match gold arguments (MEASURE arguments by overlap, others strictly). A gold relation
  whose pair was never proposed counts as a miss.
- Triples (measure, metric, value): metric and value strict, measure by overlap or both None.
Intervals: percentile bootstrap over documents (resampling whole documents).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .annotation import AnnotatedDoc, SpanAnnotation
from .schema import FLAT_LABELS, MEASURE, RELATIONS

Counts = dict[str, list[int]]  # name -> [tp, fp, fn]


def prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"p": p, "r": r, "f": 2 * p * r / (p + r) if p + r else 0.0, "tp": tp, "fp": fp, "fn": fn}


def _strict(gold: list[SpanAnnotation], predicted: list[SpanAnnotation]) -> dict[int, int]:
    """predicted id -> gold id for identical spans."""
    by_key = {(s.start, s.end, s.label): s.id for s in gold}
    return {s.id: by_key[(s.start, s.end, s.label)] for s in predicted if (s.start, s.end, s.label) in by_key}


def _overlap(gold: list[SpanAnnotation], predicted: list[SpanAnnotation]) -> dict[int, int]:
    pairs = []
    for p in predicted:
        for g in gold:
            if p.label == g.label:
                size = min(p.end, g.end) - max(p.start, g.start)
                if size > 0:
                    pairs.append((size, p.id, g.id))
    matched, used = {}, set()
    for size, p_id, g_id in sorted(pairs, reverse=True):
        if p_id not in matched and g_id not in used:
            matched[p_id] = g_id
            used.add(g_id)
    return matched


@dataclass
class DocScore:
    doc_id: str
    counts: Counts = field(default_factory=dict)
    errors: list[dict] = field(default_factory=list)

    def add(self, name: str, tp: int, fp: int, fn: int) -> None:
        row = self.counts.setdefault(name, [0, 0, 0])
        row[0] += tp
        row[1] += fp
        row[2] += fn


def score_doc(gold: AnnotatedDoc, predicted: AnnotatedDoc) -> DocScore:
    if gold.text != predicted.text:
        raise ValueError(f"{gold.doc_id}: gold and predicted texts differ; both must be the normalized text")
    score = DocScore(gold.doc_id)
    mapping: dict[int, int] = {}
    for label in (*FLAT_LABELS, MEASURE):
        g = [s for s in gold.spans if s.label == label]
        p = [s for s in predicted.spans if s.label == label]
        strict = _strict(g, p)
        score.add(label, len(strict), len(p) - len(strict), len(g) - len(strict))
        _span_errors(score, gold, predicted, label, g, p, strict)
        if label == MEASURE:
            overlap = _overlap(g, p)
            score.add("MEASURE_overlap", len(overlap), len(p) - len(overlap), len(g) - len(overlap))
            mapping.update(overlap)
        else:
            mapping.update(strict)
    gold_relations = {(r.head, r.tail, r.label) for r in gold.relations}
    predicted_relations = {(mapping.get(r.head), mapping.get(r.tail), r.label) for r in predicted.relations}
    for label in RELATIONS:
        g = {r for r in gold_relations if r[2] == label}
        p = {r for r in predicted_relations if r[2] == label}
        tp = len(g & p)
        score.add(label, tp, len(p) - tp, len(g) - tp)
    gold_triples = _triples(gold, lambda i: i)
    predicted_triples = _triples(predicted, mapping.get)
    tp = len(gold_triples & predicted_triples)
    score.add("TRIPLE", tp, len(predicted_triples) - tp, len(gold_triples) - tp)
    return score


def _triples(doc: AnnotatedDoc, to_gold) -> set[tuple]:
    measure_of = {r.tail: r.head for r in doc.relations if r.label == "MEASURED_BY"}
    triples = set()
    for r in doc.relations:
        if r.label == "HAS_VALUE":
            measure = measure_of.get(r.head)
            triples.add((to_gold(measure) if measure is not None else None, to_gold(r.head), to_gold(r.tail)))
    return triples


def _span_errors(score: DocScore, gold, predicted, label, g, p, strict) -> None:
    matched_gold = set(strict.values())
    for span in p:
        if span.id not in strict:
            score.errors.append({"doc_id": gold.doc_id, "kind": "false positive", "label": label,
                                 "text": predicted.span_text(span), "start": span.start, "end": span.end})
    for span in g:
        if span.id not in matched_gold:
            score.errors.append({"doc_id": gold.doc_id, "kind": "missed", "label": label,
                                 "text": gold.span_text(span), "start": span.start, "end": span.end})


def total(scores: list[DocScore]) -> Counts:
    counts: Counts = {}
    for score in scores:
        for name, (tp, fp, fn) in score.counts.items():
            row = counts.setdefault(name, [0, 0, 0])
            row[0] += tp
            row[1] += fp
            row[2] += fn
    flat = [counts.get(label, [0, 0, 0]) for label in FLAT_LABELS]
    counts["FLAT_micro"] = [sum(row[i] for row in flat) for i in range(3)]
    return counts


def summarize(scores: list[DocScore], n_bootstrap: int = 1000, seed: int = 0) -> dict:
    """P/R/F per name with 95% bootstrap intervals of F over documents."""
    point = {name: prf(*row) for name, row in total(scores).items()}
    rng = random.Random(seed)
    samples: dict[str, list[float]] = {name: [] for name in point}
    for _ in range(n_bootstrap if scores else 0):
        resample = [scores[rng.randrange(len(scores))] for _ in scores]
        for name, row in total(resample).items():
            samples.setdefault(name, []).append(prf(*row)["f"])
    for name, values in samples.items():
        values.sort()
        if values and name in point:
            point[name]["f_low"] = values[int(0.025 * (len(values) - 1))]
            point[name]["f_high"] = values[int(0.975 * (len(values) - 1))]
    return point


ORDER = ("FLAT_micro", *FLAT_LABELS, MEASURE, "MEASURE_overlap", *RELATIONS, "TRIPLE")


def markdown_table(summary: dict, title: str = "") -> str:
    lines = [f"| {title or 'label'} | P | R | F1 | 95% CI of F1 | tp | fp | fn |", "|---|---|---|---|---|---|---|---|"]
    for name in ORDER:
        if name not in summary:
            continue
        s = summary[name]
        ci = f"{s.get('f_low', 0):.3f}–{s.get('f_high', 0):.3f}"
        lines.append(f"| {name} | {s['p']:.3f} | {s['r']:.3f} | {s['f']:.3f} | {ci} | {s['tp']} | {s['fp']} | {s['fn']} |")
    return "\n".join(lines)
