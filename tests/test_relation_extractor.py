import numpy
import pytest
import spacy
from spacy.training import Example

from fazhi.relation_extractor import make_candidates, score_relations

from pipelines import GOLD, TEXT, gold_doc, relation_examples, relations_of, train

EXPECTED = sorted((h, t, label) for h, t, label in GOLD["relations"])


@pytest.fixture(scope="module")
def trained():
    nlp = spacy.blank("zh")
    nlp.add_pipe("fazhi_relation_extractor")
    return train(nlp, relation_examples(nlp), steps=50)


def test_relation_extractor_overfits_and_survives_serialization(trained, tmp_path):
    doc = relation_examples(trained)()[0].predicted
    assert relations_of(trained.get_pipe("fazhi_relation_extractor")(doc)) == EXPECTED
    trained.to_disk(tmp_path / "model")
    reloaded = spacy.load(tmp_path / "model")
    doc = relation_examples(reloaded)()[0].predicted
    assert relations_of(reloaded.get_pipe("fazhi_relation_extractor")(doc)) == EXPECTED


def test_relation_extractor_untrained_scores_are_not_the_gold(tmp_path):
    nlp = spacy.blank("zh")
    pipe = nlp.add_pipe("fazhi_relation_extractor")
    nlp.initialize(relation_examples(nlp))
    doc = pipe(relation_examples(nlp)()[0].predicted)
    assert relations_of(doc) != EXPECTED


def test_relation_extractor_candidates_respect_signatures_and_paragraphs():
    nlp = spacy.blank("zh")
    doc = gold_doc(nlp)
    candidates = make_candidates(doc, list(doc.ents) + list(doc.spans["measure"]), max_distance=120)
    pairs = {(c.head.label_, c.tail.label_) for c in candidates}
    assert pairs <= {("METRIC", "VALUE"), ("MEASURE", "METRIC"), ("MEASURE", "INSTITUTION")}
    two_paragraphs = gold_doc(nlp, TEXT.replace("。区司法局", "。\n区司法局"), GOLD)
    spans = list(two_paragraphs.ents) + list(two_paragraphs.spans["measure"])
    crossing = [c for c in make_candidates(two_paragraphs, spans, 120)
                if (c.head.start_char < TEXT.index("区司法局")) != (c.tail.start_char < TEXT.index("区司法局"))]
    assert crossing == []


def test_relation_extractor_keeps_one_measure_per_metric(trained):
    pipe = trained.get_pipe("fazhi_relation_extractor")
    doc = relation_examples(trained)()[0].predicted
    candidates, scores = pipe.predict([doc])
    scores = numpy.ones_like(pipe.model.ops.to_numpy(scores))
    pipe.set_annotations([doc], (candidates, scores))
    measured = [r.tail.text for r in doc._.relations if r.label == "MEASURED_BY"]
    assert len(measured) == len(set(measured))


def test_relation_scorer_counts_misses():
    nlp = spacy.blank("zh")
    reference = gold_doc(nlp)
    predicted = gold_doc(nlp)
    predicted._.relations = [r for r in predicted._.relations if r.label != "INVOLVES"]
    scores = score_relations([Example(predicted, reference)])
    assert scores["rel_per_type"]["INVOLVES"]["r"] == 0.0
    assert scores["rel_per_type"]["HAS_VALUE"]["f"] == 1.0
    assert scores["rel_micro_r"] == pytest.approx(4 / 5)
