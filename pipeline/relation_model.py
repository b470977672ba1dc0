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

from .schema import RELATIONS
from .structure import SENTENCE_ENDS

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


def pair_features(candidate: Candidate) -> numpy.ndarray:
    head, tail = candidate.head, candidate.tail
    doc = head.doc
    features = numpy.zeros((N_PAIR_FEATURES,), dtype="f")
    features[LABEL_PAIRS.index((head.label_, tail.label_))] = 1.0
    left, right = (head, tail) if head.start <= tail.start else (tail, head)
    gap = max(right.start - left.end, 0)
    offset = len(LABEL_PAIRS)
    bucket = max(i for i, low in enumerate(DISTANCE_BUCKETS) if gap >= low)
    features[offset + bucket] = 1.0
    offset += len(DISTANCE_BUCKETS)
    between = doc.text[left.end_char:right.start_char]
    features[offset + 0] = float(head.start <= tail.start)
    features[offset + 1] = float(head.start <= tail.start and tail.end <= head.end)  # tail inside head
    features[offset + 2] = float(tail.start <= head.start and head.end <= tail.end)  # head inside tail
    features[offset + 3] = float(not any(ch in SENTENCE_ENDS for ch in between))  # same sentence
    features[offset + 4] = float(not any(ch in "，,、" for ch in between))  # same clause
    features[offset + 5] = float(gap == 0)
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
    index = []  # (doc, head start, head end, tail start, tail end, between start, between end)
    fixed = []
    for i, doc_candidates in enumerate(candidates):
        for candidate in doc_candidates:
            head, tail = candidate.head, candidate.tail
            left, right = (head, tail) if head.start <= tail.start else (tail, head)
            index.append((i, head.start, head.end, tail.start, tail.end, left.end, max(right.start, left.end)))
            fixed.append(pair_features(candidate))
    rows = numpy.zeros((len(index), 3 * width + N_PAIR_FEATURES), dtype="f")
    host = [ops.to_numpy(vectors) for vectors in tokvecs]
    for k, (i, hs, he, ts, te, bs, be) in enumerate(index):
        rows[k, :width] = host[i][hs:he].mean(axis=0)
        rows[k, width:2 * width] = host[i][ts:te].mean(axis=0)
        if be > bs:
            rows[k, 2 * width:3 * width] = host[i][bs:be].mean(axis=0)
        rows[k, 3 * width:] = fixed[k]
    output = ops.asarray2f(rows)

    def backprop(d_rows: Floats2d):
        d_rows = ops.to_numpy(d_rows)
        d_tokvecs = [numpy.zeros(vectors.shape, dtype="f") for vectors in host]
        for k, (i, hs, he, ts, te, bs, be) in enumerate(index):
            d_tokvecs[i][hs:he] += d_rows[k, :width] / (he - hs)
            d_tokvecs[i][ts:te] += d_rows[k, width:2 * width] / (te - ts)
            if be > bs:
                d_tokvecs[i][bs:be] += d_rows[k, 2 * width:3 * width] / (be - bs)
        backprop_tokvecs([ops.asarray2f(d) for d in d_tokvecs])
        return inputs

    return output, backprop
