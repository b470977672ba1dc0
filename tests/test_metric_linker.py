"""The METRIC linker: candidates per value, its softmax loss, overfitting and a disk round trip."""

import numpy
import pytest
import spacy
from spacy.training import Example

from fazhi.extensions import Relation
from fazhi.metric_linker import _linker, _softmax_with_none, find_anchors
from thinc.api import Model

TEXT = "报备及时率、合法合规率达100%,召开4次联席会议。全区受理法律援助案件385件。"
METRICS = [("报备及时率", "100%"), ("合法合规率", "100%"), ("联席会议", "4次"), ("受理法律援助案件", "385件")]


def gold(nlp):
    doc = nlp.make_doc(TEXT)
    pieces = {m for m, _ in METRICS} | {v for _, v in METRICS}
    doc.ents = [doc.char_span(TEXT.index(p), TEXT.index(p) + len(p), label="VALUE" if p[0].isdigit() else "METRIC")
                for p in sorted(pieces, key=TEXT.index)]
    by_text = {e.text: e for e in doc.ents}
    doc._.relations = [Relation(by_text[m], by_text[v], "HAS_VALUE") for m, v in METRICS]
    return doc


def predicted_doc(nlp):
    """The predicted side of an example: values known (as ner would give them), no METRIC."""
    doc = nlp.make_doc(TEXT)
    doc.ents = [doc.char_span(e.start_char, e.end_char, label="VALUE") for e in gold(nlp).ents if e.label_ == "VALUE"]
    return doc


def linker_pipeline(architecture="fazhi.MetricLinker.v1"):
    nlp = spacy.blank("zh")
    nlp.add_pipe("tok2vec")
    listener = {"@architectures": "spacy.Tok2VecListener.v1", "width": 96, "upstream": "*"}
    nlp.add_pipe("fazhi_metric_linker", config={"model": {"@architectures": architecture, "tok2vec": listener}})
    return nlp


def test_metric_linker_candidates_belong_to_their_value_and_avoid_values():
    nlp = spacy.blank("zh")
    doc = predicted_doc(nlp)
    values = list(doc.ents)
    anchors = find_anchors(doc, values, 24, 24, "、和及与（(")
    for k, value in enumerate(values):
        texts = {doc[s:e].text for s, e in anchors.spans[anchors.group == k].tolist()}
        assert texts, value.text
        assert all(value.text not in t for t in texts)
    first = {doc[s:e].text for s, e in anchors.spans[anchors.group == 0].tolist()}
    assert {"报备及时率", "合法合规率"} <= first
    assert "联席会议" in {doc[s:e].text for s, e in anchors.spans[anchors.group == 1].tolist()}
    assert anchors.features.shape == (len(anchors), anchors.features.shape[1])
    # a candidate never contains another value ("100%,召开4次" would)
    assert not any("4次" in doc[s:e].text for s, e in anchors.spans[anchors.group == 0].tolist())


def test_metric_linker_loss_gradient_matches_finite_differences():
    nlp = linker_pipeline()
    linker = nlp.get_pipe("fazhi_metric_linker")
    example = Example(predicted_doc(nlp), gold(nlp))
    prepared = [linker._training_anchors(example)]
    assert prepared[0][1][0] == {(0, 5), (6, 11)}  # both coordinated METRICs of 100%
    logits = numpy.random.default_rng(0).normal(size=len(prepared[0][0])).astype("float64")
    loss, gradient = linker._loss(prepared, logits)
    for i in numpy.random.default_rng(1).choice(len(logits), 12, replace=False):
        shifted = logits.copy()
        shifted[i] += 1e-5
        numeric = (linker._loss(prepared, shifted)[0] - loss) / 1e-5
        assert gradient[i] == pytest.approx(numeric, abs=1e-3)


def test_metric_linker_softmax_includes_none():
    probs = _softmax_with_none(numpy.array([0.0, 0.0, 0.0]))
    assert probs.tolist() == pytest.approx([0.25] * 4)


@pytest.mark.parametrize("architecture", ["fazhi.MetricLinker.v1", "fazhi.MetricLinker.v2"])
def test_metric_linker_overfits_and_survives_to_disk(tmp_path, architecture):
    nlp = linker_pipeline(architecture)

    def examples():
        return [Example(predicted_doc(nlp), gold(nlp))]

    optimizer = nlp.initialize(examples)
    for _ in range(150):
        nlp.update(examples(), sgd=optimizer, losses={})
    doc = nlp(predicted_doc(nlp))
    expected = sorted({(m, "METRIC") for m, _ in METRICS} | {(v, "VALUE") for _, v in METRICS})
    assert sorted((e.text, e.label_) for e in doc.ents) == expected
    nlp.to_disk(tmp_path / "model")
    reloaded = spacy.load(tmp_path / "model")
    assert sorted((e.text, e.label_) for e in reloaded(predicted_doc(reloaded)).ents) == expected


def test_metric_linker_candidates_are_well_formed():
    from fazhi.suggesters import well_formed

    text = "刑事立案数(同比下降13.4%)、逮捕数(同比上升5.4%)和“三类人员”考法"
    spans = {"刑事立案数": True, ")、逮捕数": False, "逮捕数(同比上": False, "(同比下降13.4%)": True,
             "“三类人员”考法": True, "三类人员”考法": False, "、逮捕数": False, "逮捕数(": False}
    starts = numpy.array([text.index(piece) for piece in spans])
    ends = starts + numpy.array([len(piece) for piece in spans])
    assert well_formed(text, starts, ends).tolist() == list(spans.values())


def test_metric_linker_short_means_equal_prefix_sum_means():
    from fazhi.metric_linker import _short_means
    from fazhi.span_vectors import segment_means

    vectors = numpy.random.default_rng(0).normal(size=(50, 8)).astype("f")
    bounds = numpy.array([[0, 3], [10, 11], [20, 26], [49, 50], [5, 5]])
    numpy.testing.assert_allclose(_short_means(vectors, bounds), segment_means(vectors, bounds[:, 0], bounds[:, 1]), atol=1e-6)


@pytest.mark.parametrize("edges", [False, True])
def test_metric_linker_rows_backprop_matches_finite_differences(edges):
    """The candidate rows (span vectors, value means and, in v2, the vectors just outside each
    candidate) pass the right gradient back to the token vectors."""
    doc = predicted_doc(spacy.blank("zh"))
    anchors = find_anchors(doc, list(doc.ents), 24, 24, "、和及与（(")
    rng = numpy.random.default_rng(0)
    vectors = rng.normal(size=(len(doc), 3)).astype("f")
    received = {}

    def forward(model, docs, is_train):
        def backprop(d_vectors):
            received["d"] = d_vectors[0]
            return docs
        return [model.attrs["vectors"]], backprop

    fixed = Model("fixed_vectors", forward, attrs={"vectors": vectors})
    rows = _linker(fixed, 4, edges).layers[0]
    output, backprop = rows(([doc], [anchors]), is_train=True)
    assert output.shape[1] == (7 if edges else 5) * 3 + anchors.features.shape[1]
    if edges:  # the token before the candidate and the one after it, zeros beyond the doc
        padded = numpy.vstack([vectors, numpy.zeros((1, 3), dtype="f")])
        for row, (start, end) in enumerate(anchors.spans.tolist()):
            numpy.testing.assert_allclose(output[row, 15:21], numpy.concatenate(
                [padded[start - 1 if start else -1], padded[end if end < len(doc) else -1]]))
    weights = rng.normal(size=output.shape).astype("f")
    backprop(weights)

    def objective(shifted):
        fixed.attrs["vectors"] = shifted
        return float((rows(([doc], [anchors]), is_train=False)[0] * weights).sum(dtype="float64"))

    for i, j in zip(rng.choice(len(doc), 15), rng.choice(3, 15)):
        shifted = vectors.copy()
        shifted[i, j] += 1e-2
        numeric = (objective(shifted) - objective(vectors)) / 1e-2
        assert received["d"][i, j] == pytest.approx(numeric, abs=2e-2, rel=1e-2)
