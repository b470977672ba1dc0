"""METRIC spans chosen value by value: the candidates around each VALUE compete in a softmax
with "no metric".

The span categorizer over value-anchored candidates (`metric_spancat`) scores every
candidate on its own with a sigmoid. With one gold METRIC among ~100 candidates of a value it
learns to say "no" to almost everything: on dev, 62 predicted values got no METRIC although
53 of them have one in gold, and the gold span had a median score of 0.001. Here the
candidates of one value are scored together (a row = candidate span vectors, the value's
vectors and where the candidate sits relative to the value), the softmax includes a fixed
"none" logit of 0, and the target is the value's gold METRICs sharing the probability equally
(报备及时率、合法合规率达100%: two METRICs share the value), or "none" for a value without
one. At run time a value gets its best candidate when that beats "none", plus every candidate
scored at least `coordinated` times the best; overlapping choices are resolved by score and
the chosen spans replace the entity component's METRICs (metrics.merge_metrics).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from typing import Callable, Iterable, List, Tuple

import numpy
from spacy.language import Language
from spacy.pipeline import TrainablePipe
from spacy.tokens import Doc, Span
from spacy.training import Example, validate_get_examples
from spacy.util import registry
from thinc.api import Linear, Maxout, Model, Optimizer, chain
from thinc.types import Floats2d, Ragged

from .doctext import doc_text
from .metrics import merge_metrics
from .span_vectors import segment_means_backward, span_pooling
from .suggesters import CLAUSE_ENDS, anchor_char_spans, mark_counts, token_bounds, well_formed

GAP_BUCKETS = (0, 1, 2, 3, 5, 9)
LENGTH_BUCKETS = (1, 2, 3, 5, 9, 17)
LIST_MARKS = "、和及与"
BRACKETS = "（("
N_FEATURES = 1 + len(GAP_BUCKETS) + len(LENGTH_BUCKETS) + 4


@dataclass
class Anchors:
    """A doc's values and their METRIC candidates: one row per (candidate, value)."""

    values: list[tuple[int, int]]  # token bounds of each value
    group: numpy.ndarray  # (rows,) index of the row's value
    spans: numpy.ndarray  # (rows, 2) token bounds of the candidate
    chars: numpy.ndarray  # (rows, 2) character bounds of the candidate
    features: numpy.ndarray  # (rows, N_FEATURES) fixed features

    def __len__(self) -> int:
        return len(self.group)


def find_anchors(doc: Doc, values: list[Span], back: int, forward: int, linkers: str) -> Anchors:
    """Candidates of every value that start and end on token boundaries and overlap no value."""
    text = doc_text(doc)
    rows = [(k, start, end) for k, value in enumerate(values)
            for start, end in anchor_char_spans(text, value.start_char, value.end_char, back, forward, linkers)]
    rows = numpy.asarray(sorted(rows), dtype="int64").reshape(-1, 3)
    first, after, keep = token_bounds(doc, rows[:, 1:])
    in_value = numpy.zeros(len(doc) + 1, dtype="int64")
    for value in values:
        in_value[value.start + 1:value.end + 1] += 1
    in_value = numpy.cumsum(in_value)  # in_value[i] = value tokens before token i
    keep &= in_value[numpy.maximum(after, 0)] == in_value[numpy.maximum(first, 0)]
    keep &= well_formed(text, rows[:, 1], rows[:, 2])
    rows, spans = rows[keep], numpy.stack([first[keep], after[keep]], axis=1)
    return Anchors([(v.start, v.end) for v in values], rows[:, 0], spans, rows[:, 1:],
                   _features(text, [(v.start_char, v.end_char) for v in values], rows))


def _features(text: str, values: list[tuple[int, int]], rows: numpy.ndarray) -> numpy.ndarray:
    """Side of the value, gap and length buckets, a list mark or bracket in the gap, a list
    mark inside, starts a clause."""
    features = numpy.zeros((len(rows), N_FEATURES), dtype="f")
    if not len(rows):
        return features
    counts = {name: mark_counts(text, marks) for name, marks in
              (("list", LIST_MARKS), ("bracket", BRACKETS), ("mark", "、"), ("clause", "".join(CLAUSE_ENDS)))}
    bounds = numpy.asarray(values, dtype="int64")[rows[:, 0]]
    start, end = rows[:, 1], rows[:, 2]
    right = start >= bounds[:, 1]
    gap_start = numpy.where(right, bounds[:, 1], end)
    gap_end = numpy.where(right, start, bounds[:, 0])
    index = numpy.arange(len(rows))
    features[:, 0] = right
    features[index, 1 + numpy.searchsorted(GAP_BUCKETS, gap_end - gap_start, side="right") - 1] = 1.0
    offset = 1 + len(GAP_BUCKETS)
    features[index, offset + numpy.searchsorted(LENGTH_BUCKETS, end - start, side="right") - 1] = 1.0
    offset += len(LENGTH_BUCKETS)
    features[:, offset] = counts["list"][gap_end] > counts["list"][gap_start]
    features[:, offset + 1] = counts["bracket"][gap_end] > counts["bracket"][gap_start]
    features[:, offset + 2] = counts["mark"][end] > counts["mark"][start]
    features[:, offset + 3] = (start == 0) | (counts["clause"][start] > counts["clause"][numpy.maximum(start - 1, 0)])
    return features


@registry.architectures("fazhi.MetricLinker.v1")
def build_metric_linker(
    tok2vec: Model[List[Doc], List[Floats2d]], hidden_width: int = 64
) -> Model[Tuple[List[Doc], List[Anchors]], Floats2d]:
    """Rows [candidate last | first | mean | max | value mean | fixed features] -> one logit each."""
    return _linker(tok2vec, hidden_width, edges=False)


@registry.architectures("fazhi.MetricLinker.v2")
def build_metric_linker_v2(
    tok2vec: Model[List[Doc], List[Floats2d]], hidden_width: int = 64
) -> Model[Tuple[List[Doc], List[Anchors]], Floats2d]:
    """v1 plus the vectors of the tokens just outside the candidate (before its first token,
    after its last; zeros at the doc's edges): most METRIC errors are boundaries, and the pair
    (outside, inside) shows a boundary more directly than the inside vectors alone."""
    return _linker(tok2vec, hidden_width, edges=True)


def _linker(tok2vec: Model, hidden_width: int, edges: bool) -> Model:
    rows = Model("fazhi_metric_rows", _rows_forward, layers=[tok2vec, span_pooling()], init=_rows_init,
                 attrs={"edges": edges})
    model = chain(rows, Maxout(nO=hidden_width, normalize=True, dropout=0.0), Linear(nO=1))
    model.set_ref("tok2vec", tok2vec)
    return model


def _rows_init(model: Model, X=None, Y=None) -> None:
    if X is not None:
        model.layers[0].initialize(X=X[0])
    else:
        model.layers[0].initialize()


def _rows_forward(model: Model, inputs: Tuple[List[Doc], List[Anchors]], is_train: bool):
    docs, anchors = inputs
    tok2vec, pooling = model.layers
    tokvecs, backprop_tokvecs = tok2vec(docs, is_train)
    ops = model.ops
    lengths = ops.asarray1i([len(vectors) for vectors in tokvecs])
    flat = Ragged(ops.flatten(tokvecs), lengths)
    spans = numpy.concatenate([a.spans for a in anchors]).reshape(-1, 2)
    indices = Ragged(ops.asarray2i(spans), ops.asarray1i([len(a) for a in anchors]))
    pooled, backprop_pooled = pooling((flat, indices), is_train)
    offsets = numpy.concatenate([[0], numpy.cumsum(ops.to_numpy(lengths))[:-1]]).astype("int64")
    # each value's mean vector once (values are a few tokens: no prefix sum over the batch),
    # then one copy per candidate row
    values = numpy.concatenate([numpy.asarray(a.values, dtype="int64").reshape(-1, 2) + offset
                                for a, offset in zip(anchors, offsets)]).reshape(-1, 2)
    first_value = numpy.concatenate([[0], numpy.cumsum([len(a.values) for a in anchors])[:-1]]).astype("int64")
    row_value = numpy.concatenate([a.group + first for a, first in zip(anchors, first_value)]).astype("int64")
    value_bounds = values[row_value]
    vectors = ops.to_numpy(flat.dataXd)
    columns = [ops.to_numpy(pooled), _short_means(vectors, values)[row_value]]
    if model.attrs["edges"]:
        row_offset = numpy.repeat(offsets, [len(a) for a in anchors])
        row_length = numpy.repeat(ops.to_numpy(lengths).astype("int64"), [len(a) for a in anchors])
        outside = numpy.stack([numpy.where(spans[:, 0] > 0, spans[:, 0] - 1 + row_offset, -1),
                               numpy.where(spans[:, 1] < row_length, spans[:, 1] + row_offset, -1)], axis=1)
        padded = numpy.vstack([vectors, numpy.zeros((1, vectors.shape[1]), dtype=vectors.dtype)])
        columns.append(padded[outside].reshape(len(spans), -1))  # index -1 = the zero row
    features = numpy.concatenate([a.features for a in anchors]).reshape(-1, N_FEATURES)
    output = ops.asarray2f(numpy.hstack(columns + [features]))
    width = vectors.shape[1]

    def backprop(d_output: Floats2d):
        d_output = ops.to_numpy(d_output)
        d_flat, _ = backprop_pooled(ops.asarray2f(d_output[:, :4 * width]))
        d_vectors = ops.to_numpy(d_flat.dataXd) + segment_means_backward(
            d_output[:, 4 * width:5 * width], value_bounds[:, 0], value_bounds[:, 1], len(vectors))
        if model.attrs["edges"]:
            d_padded = numpy.zeros((len(vectors) + 1, width), dtype="float64")
            numpy.add.at(d_padded, outside.reshape(-1), d_output[:, 5 * width:7 * width].reshape(-1, width))
            d_vectors += d_padded[:-1]
        backprop_tokvecs(ops.unflatten(ops.asarray2f(d_vectors), lengths))
        return inputs

    return output, backprop


def _short_means(vectors: numpy.ndarray, bounds: numpy.ndarray) -> numpy.ndarray:
    """Mean of vectors[s:e] per (s, e) row of `bounds`, for short segments: the segments' rows
    are gathered and summed directly (float64, like segment_means)."""
    lengths = numpy.maximum(bounds[:, 1] - bounds[:, 0], 0)
    segment = numpy.repeat(numpy.arange(len(bounds)), lengths)
    position = numpy.arange(int(lengths.sum())) - numpy.repeat(numpy.cumsum(lengths) - lengths, lengths)
    sums = numpy.zeros((len(bounds), vectors.shape[1]), dtype="float64")
    numpy.add.at(sums, segment, vectors[bounds[segment, 0] + position])
    return (sums / numpy.maximum(lengths, 1)[:, None]).astype("float32")


class MetricLinker(TrainablePipe):
    def __init__(self, vocab, model: Model, name: str = "metric_linker", *, back: int = 24, forward: int = 24,
                 linkers: str = "、和及与（(", coordinated: float = 0.5, scorer: Callable | None = None):
        self.vocab = vocab
        self.model = model
        self.name = name
        self.cfg = {"back": back, "forward": forward, "linkers": linkers, "coordinated": coordinated}
        self.scorer = scorer

    def _anchors(self, doc: Doc, values: list[Span]) -> Anchors:
        return find_anchors(doc, values, self.cfg["back"], self.cfg["forward"], self.cfg["linkers"])

    def predict(self, docs: Iterable[Doc]):
        docs = list(docs)
        anchors = [self._anchors(doc, [e for e in doc.ents if e.label_ == "VALUE"]) for doc in docs]
        if not sum(len(a) for a in anchors):
            return anchors, numpy.zeros((0,), dtype="f")
        return anchors, self.model.ops.to_numpy(self.model.predict((docs, anchors))).ravel()

    def set_annotations(self, docs: Iterable[Doc], predictions) -> None:
        anchors, logits = predictions
        row = 0
        for doc, doc_anchors in zip(docs, anchors):
            chosen = []
            doc_logits = logits[row:row + len(doc_anchors)]
            row += len(doc_anchors)
            for k in range(len(doc_anchors.values)):
                rows = numpy.nonzero(doc_anchors.group == k)[0]
                if not len(rows):
                    continue
                probs = _softmax_with_none(doc_logits[rows])
                best = int(probs[:-1].argmax())
                if probs[best] <= probs[-1]:
                    continue
                for i in numpy.nonzero(probs[:-1] >= self.cfg["coordinated"] * probs[best])[0].tolist():
                    start, end = doc_anchors.spans[rows[i]].tolist()
                    chosen.append((Span(doc, start, end, label="METRIC"), float(probs[i])))
            merge_metrics(doc, chosen)

    def _training_anchors(self, example: Example) -> tuple[Anchors, list[set[tuple[int, int]] | None]]:
        """Anchors of the predicted and the gold values, and for each value the character bounds of
        its gold METRICs (empty: "none" is right; None: its METRIC is no candidate, no loss)."""
        predicted, reference = example.predicted, example.reference
        values = {(e.start_char, e.end_char): e for e in predicted.ents if e.label_ == "VALUE"}
        for gold in reference.ents:
            span = predicted.char_span(gold.start_char, gold.end_char, label="VALUE") if gold.label_ == "VALUE" else None
            if span is not None:
                values.setdefault((span.start_char, span.end_char), span)
        values = sorted(values.values(), key=lambda v: v.start)
        anchors = self._anchors(predicted, values)
        links = [(r.head, r.tail) for r in reference._.relations if r.label == "HAS_VALUE"]
        targets = []
        for k, value in enumerate(values):
            metrics = {(m.start_char, m.end_char) for m, v in links
                       if v.start_char < value.end_char and value.start_char < v.end_char}
            candidates = set(map(tuple, anchors.chars[anchors.group == k].tolist()))
            targets.append(None if metrics - candidates else metrics)
        return anchors, targets

    def update(self, examples: Iterable[Example], *, drop: float = 0.0, sgd: Optimizer | None = None,
               losses: dict | None = None) -> dict:
        losses = {} if losses is None else losses
        losses.setdefault(self.name, 0.0)
        examples = list(examples)
        prepared = [self._training_anchors(eg) for eg in examples]
        anchors = [a for a, _ in prepared]
        if not sum(len(a) for a in anchors):
            return losses
        docs = [eg.predicted for eg in examples]
        self.model.attrs["dropout"] = drop
        logits, backprop = self.model.begin_update((docs, anchors))
        loss, gradient = self._loss(prepared, self.model.ops.to_numpy(logits).ravel())
        backprop(self.model.ops.asarray2f(gradient.reshape(-1, 1)))
        if sgd is not None:
            self.finish_update(sgd)
        losses[self.name] += loss
        return losses

    def _loss(self, prepared, logits: numpy.ndarray) -> tuple[float, numpy.ndarray]:
        """Cross-entropy of each value's softmax against its gold METRICs sharing the target
        equally (coordinated METRICs of one value), or "none"; gradient: softmax - target."""
        gradient = numpy.zeros_like(logits)
        loss, row = 0.0, 0
        for anchors, targets in prepared:
            bounds = list(map(tuple, anchors.chars.tolist()))
            for k, gold in enumerate(targets):
                rows = row + numpy.nonzero(anchors.group == k)[0]
                if gold is None or not len(rows):
                    continue
                probs = _softmax_with_none(logits[rows])
                target = numpy.array([bounds[i - row] in gold for i in rows.tolist()] + [not gold], dtype="float64")
                target /= target.sum()
                loss -= float((target * numpy.log(numpy.maximum(probs, 1e-12))).sum())
                gradient[rows] = (probs - target)[:-1]
            row += len(anchors)
        return loss, gradient

    def get_loss(self, examples, scores):
        examples = list(examples)
        prepared = [self._training_anchors(eg) for eg in examples]
        return self._loss(prepared, numpy.asarray(scores).ravel())

    def initialize(self, get_examples: Callable[[], Iterable[Example]], *, nlp: Language | None = None) -> None:
        validate_get_examples(get_examples, "MetricLinker.initialize")
        examples = list(islice(get_examples(), 10))
        docs = [eg.reference for eg in examples]
        anchors = [self._anchors(doc, [e for e in doc.ents if e.label_ == "VALUE"]) for doc in docs]
        if not sum(len(a) for a in anchors):
            raise ValueError("MetricLinker.initialize: the sample examples have no VALUE with METRIC candidates")
        self.model.initialize(X=(docs, anchors))


def _softmax_with_none(logits: numpy.ndarray) -> numpy.ndarray:
    """Softmax over the candidates' logits and a last, fixed "none" logit of 0."""
    z = numpy.append(logits.astype("float64"), 0.0)
    z = numpy.exp(z - z.max())
    return z / z.sum()
