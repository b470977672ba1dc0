"""The relation model: token vectors -> one row per candidate (head, tail) pair -> scores.

A candidate row is [mean head vectors | mean tail vectors | mean vectors between | pair
features]. Pair features are fixed (no gradient): the label pair, distance buckets, order,
nesting, same sentence, punctuation between. Gradients flow back into the tok2vec.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import List, Tuple

import numpy
from spacy.tokens import Doc, Span
from spacy.util import registry
from thinc.api import Linear, Logistic, Model, Relu, chain
from thinc.types import Floats2d

from .doctext import doc_text
from .schema import RELATIONS
from .span_vectors import segment_means, segment_means_backward
from .structure import SENTENCE_ENDS
from .suggesters import mark_counts

DISTANCE_BUCKETS = (0, 1, 2, 4, 8, 16, 32, 64, 128)
LABEL_PAIRS = tuple(RELATIONS.values())
N_PAIR_FEATURES = len(LABEL_PAIRS) + len(DISTANCE_BUCKETS) + 6


@dataclass(frozen=True)
class Candidate:
    head: Span
    tail: Span

    @property
    def relation(self) -> str:
        pair = (self.head.label_, self.tail.label_)
        return next(label for label, signature in RELATIONS.items() if signature == pair)


def pair_features(doc: Doc, candidates: List[Candidate]) -> numpy.ndarray:
    """Fixed features of a doc's candidate pairs, one row each (the doc's text is read once)."""
    features = numpy.zeros((len(candidates), N_PAIR_FEATURES), dtype="f")
    if not candidates:
        return features
    text = doc_text(doc)
    sentence_ends = mark_counts(text, SENTENCE_ENDS)
    clause_marks = mark_counts(text, "，,、")
    rows = numpy.arange(len(candidates))
    pair = numpy.array([LABEL_PAIRS.index((c.head.label_, c.tail.label_)) for c in candidates])
    head = numpy.array([(c.head.start, c.head.end, c.head.start_char, c.head.end_char) for c in candidates])
    tail = numpy.array([(c.tail.start, c.tail.end, c.tail.start_char, c.tail.end_char) for c in candidates])
    head_first = head[:, 0] <= tail[:, 0]
    left = numpy.where(head_first[:, None], head, tail)
    right = numpy.where(head_first[:, None], tail, head)
    gap = numpy.maximum(right[:, 0] - left[:, 1], 0)
    between_start, between_end = left[:, 3], numpy.maximum(right[:, 2], left[:, 3])
    features[rows, pair] = 1.0
    offset = len(LABEL_PAIRS)
    features[rows, offset + numpy.searchsorted(DISTANCE_BUCKETS, gap, side="right") - 1] = 1.0
    offset += len(DISTANCE_BUCKETS)
    features[:, offset + 0] = head_first
    features[:, offset + 1] = head_first & (tail[:, 1] <= head[:, 1])  # tail inside head
    features[:, offset + 2] = (tail[:, 0] <= head[:, 0]) & (head[:, 1] <= tail[:, 1])  # head inside tail
    features[:, offset + 3] = sentence_ends[between_end] == sentence_ends[between_start]  # same sentence
    features[:, offset + 4] = clause_marks[between_end] == clause_marks[between_start]  # same clause
    features[:, offset + 5] = gap == 0
    return features


@registry.architectures("fazhi.RelationModel.v1")
def build_relation_model(
    tok2vec: Model[List[Doc], List[Floats2d]], hidden_width: int = 64
) -> Model[Tuple[List[Doc], List[List[Candidate]]], Floats2d]:
    pairs = Model("fazhi_candidate_rows", _rows_forward, layers=[tok2vec], init=_rows_init)
    scorer = chain(Relu(nO=hidden_width), Linear(), Logistic())
    model = chain(pairs, scorer)
    model.set_ref("tok2vec", tok2vec)
    return model


def _rows_init(model: Model, X=None, Y=None) -> None:
    tok2vec = model.layers[0]
    if X is not None:
        tok2vec.initialize(X=X[0])
    else:
        tok2vec.initialize()


def _rows_forward(model: Model, inputs, is_train: bool):
    docs, candidates = inputs
    tok2vec = model.layers[0]
    tokvecs, backprop_tokvecs = tok2vec(docs, is_train)
    ops = model.ops
    width = tokvecs[0].shape[1] if tokvecs else 0
    host = [ops.to_numpy(vectors) for vectors in tokvecs]
    blocks, segments = [], []
    for vectors, doc, doc_candidates in zip(host, docs, candidates):
        bounds = _segments(doc_candidates)
        segments.append(bounds)
        if doc_candidates:
            means = [segment_means(vectors, bounds[:, 2 * k], bounds[:, 2 * k + 1]) for k in range(3)]
            blocks.append(numpy.hstack(means + [pair_features(doc, doc_candidates)]))
    rows = numpy.vstack(blocks) if blocks else numpy.zeros((0, 3 * width + N_PAIR_FEATURES), dtype="f")
    output = ops.asarray2f(rows)

    def backprop(d_rows: Floats2d):
        d_rows = ops.to_numpy(d_rows)
        d_tokvecs, row = [], 0
        for vectors, bounds in zip(host, segments):
            d_vectors = numpy.zeros(vectors.shape, dtype="f")
            d_doc = d_rows[row:row + len(bounds)]
            row += len(bounds)
            for k in range(3):
                d_vectors += segment_means_backward(d_doc[:, k * width:(k + 1) * width], bounds[:, 2 * k],
                                                    bounds[:, 2 * k + 1], vectors.shape[0])
            d_tokvecs.append(ops.asarray2f(d_vectors))
        backprop_tokvecs(d_tokvecs)
        return inputs

    return output, backprop


def _segments(candidates: List[Candidate]) -> numpy.ndarray:
    """Token bounds per candidate: head start/end, tail start/end, between start/end."""
    bounds = numpy.zeros((len(candidates), 6), dtype="int64")
    for k, candidate in enumerate(candidates):
        head, tail = candidate.head, candidate.tail
        left, right = (head, tail) if head.start <= tail.start else (tail, head)
        bounds[k] = (head.start, head.end, tail.start, tail.end, left.end, max(right.start, left.end))
    return bounds
