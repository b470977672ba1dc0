"""Prefix-sum span vectors (span categorizer and relation model) and the soft word features."""

import numpy
import pytest
import spacy
from thinc.api import NumpyOps
from thinc.types import Ragged

from fazhi.span_vectors import segment_means, segment_means_backward, span_endpoints

RNG = numpy.random.default_rng(0)
VECTORS = RNG.normal(size=(9, 4)).astype("f")
STARTS = numpy.array([0, 2, 5, 3, 8])
ENDS = numpy.array([3, 3, 9, 3, 9])  # (3, 3) is empty


def test_span_vectors_segment_means_match_slices():
    means = segment_means(VECTORS, STARTS, ENDS)
    for row, (s, e) in enumerate(zip(STARTS, ENDS)):
        expected = VECTORS[s:e].mean(axis=0) if e > s else numpy.zeros(4)
        numpy.testing.assert_allclose(means[row], expected, rtol=1e-5, atol=1e-6)


def test_span_vectors_segment_means_backward_spreads_gradient_over_each_segment():
    d_means = RNG.normal(size=(len(STARTS), 4)).astype("f")
    expected = numpy.zeros_like(VECTORS)
    for row, (s, e) in enumerate(zip(STARTS, ENDS)):
        if e > s:
            expected[s:e] += d_means[row] / (e - s)
    numpy.testing.assert_allclose(segment_means_backward(d_means, STARTS, ENDS, len(VECTORS)), expected, rtol=1e-5, atol=1e-6)


def test_span_vectors_endpoints_of_spans_in_a_batch_of_two_docs():
    layer = span_endpoints()
    layer.initialize()
    tokvecs = Ragged(VECTORS, numpy.array([4, 5], dtype="i"))
    indices = Ragged(numpy.array([[0, 2], [1, 4], [0, 5], [2, 3]], dtype="i"), numpy.array([2, 2], dtype="i"))
    output, backprop = layer((tokvecs, indices), is_train=True)
    rows = [(0, 2), (1, 4), (4, 9), (6, 7)]  # second doc starts at row 4
    for k, (s, e) in enumerate(rows):
        expected = numpy.concatenate([VECTORS[e - 1], VECTORS[s], VECTORS[s:e].mean(axis=0)])
        numpy.testing.assert_allclose(output[k], expected, rtol=1e-5, atol=1e-6)
    d_output = numpy.ones_like(output)
    d_tokvecs, _ = backprop(d_output)
    expected = numpy.zeros_like(VECTORS)
    for s, e in rows:
        expected[s] += 1
        expected[e - 1] += 1
        expected[s:e] += 1 / (e - s)
    numpy.testing.assert_allclose(d_tokvecs.dataXd, expected, rtol=1e-5)


def test_span_vectors_endpoints_without_spans():
    layer = span_endpoints()
    output, _ = layer((Ragged(VECTORS, numpy.array([9], dtype="i")), Ragged(numpy.zeros((0, 2), dtype="i"), numpy.array([0], dtype="i"))), is_train=False)
    assert output.shape == (0, 12)


@pytest.mark.parametrize("text,expected", [
    ("审查规范性文件54件", ["B审查", "E审查", "B规范性", "M规范性", "E规范性", "B文件", "E文件", "B54", "E54", "S件"]),
    ("区司法局", None),
])
def test_span_vectors_softwords_mark_word_positions(text, expected):
    nlp = spacy.blank("zh")
    nlp.add_pipe("fazhi_softwords")
    lemmas = [token.lemma_ for token in nlp(text)]
    assert len(lemmas) == len(text)
    if expected:
        assert lemmas == expected
    assert lemmas[0][0] in "BS" and lemmas[-1][0] in "ES"
    assert all(lemma[1:] in text for lemma in lemmas)


def test_span_vectors_pooling_equals_spacy_mean_max_features():
    """Same features and gradients as extract_spans >> (last, first, mean, max), as in spacy.mean_max_reducer.v1."""
    from spacy.ml.extract_spans import extract_spans
    from thinc.api import chain, concatenate, reduce_first, reduce_last, reduce_max, reduce_mean

    from fazhi.span_vectors import span_pooling

    lengths = numpy.array([40, 33], dtype="i")
    vectors = RNG.normal(size=(int(lengths.sum()), 8)).astype("f")
    per_doc = [[(s, min(int(length), s + w)) for s in range(0, int(length) - 1, 3) for w in (1, 2, 5, 17, 40)] for length in lengths]
    spans = numpy.array([span for doc_spans in per_doc for span in doc_spans], dtype="i")
    inputs = (Ragged(vectors, lengths), Ragged(spans, numpy.array([len(d) for d in per_doc], dtype="i")))
    reference = chain(extract_spans(), concatenate(reduce_last(), reduce_first(), reduce_mean(), reduce_max()))
    expected, expected_backprop = reference(inputs, is_train=True)
    output, backprop = span_pooling()(inputs, is_train=True)
    numpy.testing.assert_allclose(output, expected, rtol=1e-5, atol=1e-6)
    numpy.testing.assert_allclose(span_pooling().predict(inputs), expected, rtol=1e-5, atol=1e-6)
    d_output = RNG.normal(size=output.shape).astype("f")
    numpy.testing.assert_allclose(backprop(d_output)[0].dataXd, expected_backprop(d_output)[0].dataXd, rtol=1e-4, atol=1e-5)
