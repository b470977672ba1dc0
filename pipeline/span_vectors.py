"""Span vectors computed from token vectors without copying every token of every span.

spaCy's span categorizer gathers all tokens of all candidate spans (`extract_spans`) and
pools them (spacy.mean_max_reducer.v1: last, first, mean, max). For clause-long MEASURE
candidates that is ~38 token rows per character of text and the largest cost of the
pipeline. Here the same four vectors come from a prefix sum (mean) and a sparse table of
maxima over power-of-two windows (max): O(tokens x log(longest span) + spans), not
O(total span length). The relation model uses the same prefix-sum means.
"""

from __future__ import annotations

from typing import List, Tuple

import numpy
from spacy.tokens import Doc
from spacy.util import registry
from thinc.api import Maxout, Model, chain, list2ragged, with_getitem
from thinc.types import Floats2d, Ragged


def segment_means(vectors: numpy.ndarray, starts: numpy.ndarray, ends: numpy.ndarray) -> numpy.ndarray:
    """Mean of vectors[s:e] for every (s, e); rows of empty segments are zero."""
    prefix = numpy.zeros((vectors.shape[0] + 1, vectors.shape[1]), dtype="float64")
    numpy.cumsum(vectors, axis=0, out=prefix[1:])
    lengths = numpy.maximum(ends - starts, 1)[:, None]
    return ((prefix[ends] - prefix[starts]) / lengths).astype("float32")


def segment_means_backward(d_means: numpy.ndarray, starts: numpy.ndarray, ends: numpy.ndarray,
                           n_rows: int) -> numpy.ndarray:
    """Gradient of `segment_means` with respect to the vectors: each segment's gradient,
    divided by its length, spread over its rows (a difference array, then a cumsum)."""
    lengths = numpy.maximum(ends - starts, 1)[:, None]
    share = d_means / lengths
    diff = numpy.zeros((n_rows + 1, d_means.shape[1]), dtype="float64")
    numpy.add.at(diff, starts, share)
    numpy.add.at(diff, ends, -share)
    return numpy.cumsum(diff[:-1], axis=0).astype("float32")


def segment_maxima(vectors: numpy.ndarray, starts: numpy.ndarray, ends: numpy.ndarray,
                   with_rows: bool = True) -> tuple[numpy.ndarray, numpy.ndarray | None]:
    """Max of vectors[s:e] per (s, e) (e > s) and (for the gradient) the row each maximum came
    from, from a sparse table: the max over [s, e) is the larger of the 2^k windows at s and
    at e - 2^k, where 2^k <= e - s."""
    n_rows, width = vectors.shape
    lengths = ends - starts
    levels = int(lengths.max()).bit_length() if len(lengths) else 1
    values = [vectors]
    rows = [numpy.broadcast_to(numpy.arange(n_rows, dtype="int64")[:, None], vectors.shape)] if with_rows else None
    for level in range(1, levels):
        half = 1 << (level - 1)
        left, right = values[-1][:-half], values[-1][half:]
        values.append(numpy.maximum(left, right))
        if with_rows:
            rows.append(numpy.where(right > left, rows[-1][half:], rows[-1][:-half]))
    k = numpy.floor(numpy.log2(numpy.maximum(lengths, 1))).astype("int64")
    maxima = numpy.empty((len(starts), width), dtype=vectors.dtype)
    argmax = numpy.empty((len(starts), width), dtype="int64") if with_rows else None
    for level in numpy.unique(k).tolist():
        chosen = numpy.nonzero(k == level)[0]
        at_start, at_end = values[level][starts[chosen]], values[level][ends[chosen] - (1 << level)]
        maxima[chosen] = numpy.maximum(at_start, at_end)
        if with_rows:
            argmax[chosen] = numpy.where(at_end > at_start, rows[level][ends[chosen] - (1 << level)], rows[level][starts[chosen]])
    return maxima, argmax


def span_pooling(with_max: bool = True) -> Model[Tuple[Ragged, Ragged], Floats2d]:
    """(token vectors of a batch, span indices per doc) -> [last | first | mean | max] per span,
    the features of spacy.mean_max_reducer.v1, in its order; without max if `with_max` is off."""
    return Model("fazhi_span_pooling" if with_max else "fazhi_span_endpoints", _pooling_forward, attrs={"with_max": with_max})


def span_endpoints() -> Model[Tuple[Ragged, Ragged], Floats2d]:
    """(token vectors of a batch, span indices per doc) -> [last | first | mean] per span."""
    return span_pooling(with_max=False)


def _pooling_forward(model: Model, inputs: Tuple[Ragged, Ragged], is_train: bool):
    tokvecs, indices = inputs
    vectors = model.ops.to_numpy(tokvecs.dataXd)
    n_rows, width = vectors.shape
    with_max = model.attrs.get("with_max", True)
    n_parts = 4 if with_max else 3
    starts, ends = _batch_offsets(model, tokvecs, indices)
    if len(starts) == 0:
        return model.ops.alloc2f(0, n_parts * width), lambda d_output: (Ragged(model.ops.alloc2f(n_rows, width), tokvecs.lengths), indices)
    parts = [vectors[ends - 1], vectors[starts], segment_means(vectors, starts, ends)]
    if with_max:
        maxima, argmax = segment_maxima(vectors, starts, ends, with_rows=is_train)
        parts.append(maxima)
    output = numpy.hstack(parts)

    def backprop(d_output: Floats2d):
        d_output = model.ops.to_numpy(d_output)
        d_vectors = segment_means_backward(d_output[:, 2 * width:3 * width], starts, ends, n_rows)
        numpy.add.at(d_vectors, ends - 1, d_output[:, :width])
        numpy.add.at(d_vectors, starts, d_output[:, width:2 * width])
        if with_max:
            flat = (argmax * width + numpy.arange(width)).ravel()
            d_vectors += numpy.bincount(flat, weights=d_output[:, 3 * width:].ravel(), minlength=n_rows * width).reshape(n_rows, width)
        return Ragged(model.ops.asarray2f(d_vectors), tokvecs.lengths), indices

    return model.ops.asarray2f(output), backprop


def _batch_offsets(model: Model, tokvecs: Ragged, indices: Ragged) -> tuple[numpy.ndarray, numpy.ndarray]:
    """Span (start, end) per doc -> rows of the batch's concatenated token vectors."""
    spans = model.ops.to_numpy(indices.dataXd).reshape(-1, 2).astype("int64")
    doc_starts = numpy.concatenate([[0], numpy.cumsum(model.ops.to_numpy(tokvecs.lengths))[:-1]]).astype("int64")
    span_docs = numpy.repeat(numpy.arange(len(doc_starts)), model.ops.to_numpy(indices.lengths))
    return spans[:, 0] + doc_starts[span_docs], spans[:, 1] + doc_starts[span_docs]


@registry.architectures("fazhi.SpanCategorizer.v1")
def build_span_categorizer(
    tok2vec: Model[List[Doc], List[Floats2d]],
    scorer: Model[Floats2d, Floats2d],
    hidden_size: int = 64,
) -> Model[Tuple[List[Doc], Ragged], Floats2d]:
    """spaCy's SpanCategorizer.v1 with spacy.mean_max_reducer.v1, the same function computed
    without gathering every token of every span (see module doc)."""
    return span_categorizer(tok2vec, Maxout(nO=hidden_size, normalize=True, dropout=0.0), scorer)


def span_categorizer(tok2vec: Model, hidden: Model, scorer: Model, pooling: Model | None = None) -> Model[Tuple[List[Doc], Ragged], Floats2d]:
    """tok2vec -> span vectors (default: the mean_max features) -> hidden layer -> scorer."""
    model = chain(with_getitem(0, chain(tok2vec, list2ragged())), span_pooling() if pooling is None else pooling, hidden, scorer)
    model.set_ref("tok2vec", tok2vec)
    model.set_ref("reducer", hidden)
    model.set_ref("scorer", scorer)
    return model


@registry.architectures("fazhi.EndpointSpanCategorizer.v1")
def build_endpoint_spancat(
    tok2vec: Model[List[Doc], List[Floats2d]],
    scorer: Model[Floats2d, Floats2d],
    hidden_size: int = 64,
) -> Model[Tuple[List[Doc], Ragged], Floats2d]:
    """Span vectors [last | first | mean] only, without max pooling: the dev ablation of
    results/RESULTS.md (not used by the shipped config)."""
    return span_categorizer(tok2vec, Maxout(nO=hidden_size, normalize=True, dropout=0.0), scorer, span_endpoints())
