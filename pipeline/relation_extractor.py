"""A trainable relation extractor: HAS_VALUE, MEASURED_BY and INVOLVES between the spans
that the entity and measure components predicted.

Candidates are pairs whose labels fit a relation's signature, inside one paragraph and
within `max_distance` tokens. In training, candidates come from the predicted spans (the
pipeline's annotating components) *and* the gold spans, so the model learns on the kind
of input it will see at run time as well as on clean input.
"""

from __future__ import annotations

import re
from itertools import islice
from typing import Callable, Iterable

import numpy
from spacy.language import Language
from spacy.attrs import IDX
from spacy.pipeline import TrainablePipe
from spacy.tokens import Doc, Span
from spacy.training import Example, validate_get_examples
from thinc.api import Model, Optimizer

from .doctext import doc_text
from .extensions import Relation
from .relation_model import Candidate
from .schema import MEASURE_SPANS_KEY, RELATIONS


def candidate_spans(doc: Doc) -> list[Span]:
    return list(doc.ents) + list(doc.spans.get(MEASURE_SPANS_KEY, []))


def make_candidates(doc: Doc, spans: Iterable[Span], max_distance: int) -> list[Candidate]:
    spans = list(spans)
    paragraph = _paragraph_ids(doc)
    by_label: dict[str, list[Span]] = {}
    for span in spans:
        by_label.setdefault(span.label_, []).append(span)
    candidates = []
    for head_label, tail_label in RELATIONS.values():
        for head in by_label.get(head_label, []):
            for tail in by_label.get(tail_label, []):
                if head == tail or paragraph[head.start] != paragraph[tail.start]:
                    continue
                gap = max(tail.start - head.end, head.start - tail.end, 0)
                if gap <= max_distance:
                    candidates.append(Candidate(head, tail))
    return candidates


def _paragraph_ids(doc: Doc) -> list[int]:
    """Paragraph number of every token, from the character offsets of line breaks."""
    breaks = [m.start() for m in re.finditer("\n", doc_text(doc))]
    return numpy.searchsorted(breaks, doc.to_array(IDX), side="left").tolist()


def _key(span: Span) -> tuple[int, int, str]:
    return span.start_char, span.end_char, span.label_


class RelationExtractor(TrainablePipe):
    def __init__(self, vocab, model: Model, name: str = "relation_extractor", *, threshold: float = 0.5,
                 max_distance: int = 120, scorer: Callable | None = None):
        self.vocab = vocab
        self.model = model
        self.name = name
        self.cfg = {"labels": list(RELATIONS), "threshold": threshold, "max_distance": max_distance}
        self.scorer = scorer

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(self.cfg["labels"])

    def predict(self, docs: Iterable[Doc]):
        docs = list(docs)
        candidates = [make_candidates(doc, candidate_spans(doc), self.cfg["max_distance"]) for doc in docs]
        if not any(candidates):
            return candidates, numpy.zeros((0, len(self.labels)), dtype="f")
        return candidates, self.model.predict((docs, candidates))

    def set_annotations(self, docs: Iterable[Doc], predictions) -> None:
        candidates, scores = predictions
        scores = self.model.ops.to_numpy(scores)
        k = 0
        for doc, doc_candidates in zip(docs, candidates):
            relations = []
            for candidate in doc_candidates:
                score = float(scores[k, self.labels.index(candidate.relation)])
                k += 1
                if score >= self.cfg["threshold"]:
                    relations.append(Relation(candidate.head, candidate.tail, candidate.relation, score))
            doc._.relations = _one_measure_per_metric(relations)

    def _training_candidates(self, example: Example) -> list[Candidate]:
        predicted = example.predicted
        spans = {(_key(s)): s for s in candidate_spans(predicted)}
        for gold in candidate_spans(example.reference):
            span = predicted.char_span(gold.start_char, gold.end_char, label=gold.label_)
            if span is not None:
                spans.setdefault(_key(span), span)
        return make_candidates(predicted, spans.values(), self.cfg["max_distance"])

    def _targets(self, examples: list[Example], candidates: list[list[Candidate]]):
        rows = []
        for example, doc_candidates in zip(examples, candidates):
            gold = {(_key(r.head), _key(r.tail), r.label) for r in example.reference._.relations}
            for candidate in doc_candidates:
                row = numpy.zeros((len(self.labels),), dtype="f")
                if (_key(candidate.head), _key(candidate.tail), candidate.relation) in gold:
                    row[self.labels.index(candidate.relation)] = 1.0
                rows.append(row)
        return numpy.asarray(rows, dtype="f").reshape((-1, len(self.labels)))

    def _mask(self, candidates: list[list[Candidate]]):
        """Only the column of each candidate's own relation type carries a loss."""
        rows = [
            numpy.eye(len(self.labels), dtype="f")[self.labels.index(c.relation)]
            for doc_candidates in candidates for c in doc_candidates
        ]
        return numpy.asarray(rows, dtype="f").reshape((-1, len(self.labels)))

    def update(self, examples: Iterable[Example], *, drop: float = 0.0, sgd: Optimizer | None = None,
               losses: dict | None = None) -> dict:
        losses = {} if losses is None else losses
        losses.setdefault(self.name, 0.0)
        examples = list(examples)
        candidates = [self._training_candidates(eg) for eg in examples]
        if not any(candidates):
            return losses
        docs = [eg.predicted for eg in examples]
        self.model.attrs["dropout"] = drop
        scores, backprop = self.model.begin_update((docs, candidates))
        loss, gradient = self.get_loss(examples, (candidates, scores))
        backprop(gradient)
        if sgd is not None:
            self.finish_update(sgd)
        losses[self.name] += loss
        return losses

    def get_loss(self, examples, predictions):
        candidates, scores = predictions
        truths = self.model.ops.asarray2f(self._targets(list(examples), candidates))
        mask = self.model.ops.asarray2f(self._mask(candidates))
        gradient = (scores - truths) * mask
        loss = float((gradient ** 2).sum())
        return loss, gradient

    def initialize(self, get_examples: Callable[[], Iterable[Example]], *, nlp: Language | None = None,
                   labels: list[str] | None = None) -> None:
        validate_get_examples(get_examples, "RelationExtractor.initialize")
        if labels is not None:
            self.cfg["labels"] = list(labels)
        examples = list(islice(get_examples(), 10))
        docs = [eg.reference for eg in examples]
        candidates = [make_candidates(doc, candidate_spans(doc), self.cfg["max_distance"]) for doc in docs]
        if not any(candidates):
            raise ValueError("RelationExtractor.initialize: the sample examples have no candidate pairs; "
                             "do the training docs carry entities and measures?")
        truths = self.model.ops.asarray2f(self._targets(examples, candidates))
        self.model.initialize(X=(docs, candidates), Y=truths)

    def add_label(self, label: str) -> int:
        if label in self.labels:
            return 0
        self.cfg["labels"].append(label)
        return 1


def _one_measure_per_metric(relations: list[Relation]) -> list[Relation]:
    """Schema: at most one MEASURE per METRIC; keep the best-scored MEASURED_BY."""
    best: dict[tuple, Relation] = {}
    others = []
    for relation in relations:
        if relation.label != "MEASURED_BY":
            others.append(relation)
            continue
        key = _key(relation.tail)
        if key not in best or relation.score > best[key].score:
            best[key] = relation
    return others + list(best.values())


def score_relations(examples: Iterable[Example], **kwargs) -> dict:
    """Micro and per-label P/R/F of relations, matched by both spans' offsets and labels."""
    counts: dict[str, list[int]] = {label: [0, 0, 0] for label in RELATIONS}  # tp, fp, fn
    for example in examples:
        gold = {(_key(r.head), _key(r.tail), r.label) for r in example.reference._.relations}
        predicted = {(_key(r.head), _key(r.tail), r.label) for r in example.predicted._.relations}
        for item in predicted:
            counts.setdefault(item[2], [0, 0, 0])[0 if item in gold else 1] += 1
        for item in gold - predicted:
            counts.setdefault(item[2], [0, 0, 0])[2] += 1
    scores: dict = {"rel_per_type": {}}
    total = [sum(c[i] for c in counts.values()) for i in range(3)]
    for label, (tp, fp, fn) in counts.items():
        scores["rel_per_type"][label] = _prf(tp, fp, fn)
    micro = _prf(*total)
    scores.update({"rel_micro_p": micro["p"], "rel_micro_r": micro["r"], "rel_micro_f": micro["f"]})
    return scores


def _prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return {"p": p, "r": r, "f": 2 * p * r / (p + r) if p + r else 0.0}
