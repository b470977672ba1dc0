from fazhi.annotation import AnnotatedDoc, RelationAnnotation, SpanAnnotation
from fazhi.scoring import score_doc, summarize, total

TEXT = "持续减少审批环节,不见面审批事项占比达到100%。"


def doc(spans, relations=()):
    return AnnotatedDoc("d", TEXT, tuple(SpanAnnotation(s, e, label, i) for i, (s, e, label) in enumerate(spans)),
                        tuple(RelationAnnotation(h, t, label) for h, t, label in relations))


GOLD = doc([(2, 8, "MEASURE"), (9, 18, "METRIC"), (22, 26, "VALUE")], [(1, 2, "HAS_VALUE"), (0, 1, "MEASURED_BY")])


def test_scoring_identical_docs_score_one():
    counts = total([score_doc(GOLD, GOLD)])
    assert counts["TRIPLE"] == [1, 0, 0]
    assert counts["FLAT_micro"] == [2, 0, 0]
    assert counts["MEASURED_BY"] == [1, 0, 0]


def test_scoring_measure_overlap_credits_relations_but_not_strict():
    predicted = doc([(0, 8, "MEASURE"), (9, 18, "METRIC"), (22, 26, "VALUE")], [(1, 2, "HAS_VALUE"), (0, 1, "MEASURED_BY")])
    counts = total([score_doc(GOLD, predicted)])
    assert counts["MEASURE"] == [0, 1, 1]
    assert counts["MEASURE_overlap"] == [1, 0, 0]
    assert counts["MEASURED_BY"] == [1, 0, 0]
    assert counts["TRIPLE"] == [1, 0, 0]


def test_scoring_relation_never_proposed_is_a_miss():
    predicted = doc([(2, 8, "MEASURE"), (9, 18, "METRIC"), (22, 26, "VALUE")], [(1, 2, "HAS_VALUE")])
    counts = total([score_doc(GOLD, predicted)])
    assert counts["MEASURED_BY"] == [0, 0, 1]
    assert counts["TRIPLE"] == [0, 1, 1]  # (None, metric, value) is not (measure, metric, value)


def test_scoring_wrong_boundary_metric_breaks_its_relations():
    predicted = doc([(2, 8, "MEASURE"), (9, 17, "METRIC"), (22, 26, "VALUE")], [(1, 2, "HAS_VALUE"), (0, 1, "MEASURED_BY")])
    counts = total([score_doc(GOLD, predicted)])
    assert counts["METRIC"] == [0, 1, 1]
    assert counts["HAS_VALUE"] == [0, 1, 1]


def test_scoring_bootstrap_interval_contains_point_estimate():
    predicted = doc([(2, 8, "MEASURE"), (9, 18, "METRIC")], [])
    scores = [score_doc(GOLD, GOLD), score_doc(GOLD, predicted), score_doc(GOLD, GOLD)]
    summary = summarize(scores, n_bootstrap=200)
    value = summary["VALUE"]
    assert value["f_low"] <= value["f"] <= value["f_high"]
    assert value["f_low"] < value["f_high"]
