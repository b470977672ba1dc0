"""The BILUO entity tagger: decoding with repair, overfitting, serialization."""

import numpy
import pytest
import spacy
from spacy.training import Example

from fazhi.entity_tagger import biluo_labels, constrained_tags, decode
from fazhi.metrics import ENT_SCORES_KEY

from pipelines import GOLD, TEXT, gold_doc, train

EXPECTED = sorted((text, label) for text, label in GOLD["ents"])


@pytest.mark.parametrize("tags,expected", [
    (["B-VALUE", "I-VALUE", "L-VALUE", "O"], [(0, 3, "VALUE")]),
    (["U-VALUE", "U-VALUE", "O", "O"], [(0, 1, "VALUE"), (1, 2, "VALUE")]),
    (["O", "I-METRIC", "L-METRIC", "O"], []),  # no B: nothing
    (["B-METRIC", "I-METRIC", "I-VALUE", "L-VALUE"], []),  # label change: nothing
    (["B-INSTITUTION", "I-INSTITUTION", "I-INSTITUTION", "I-INSTITUTION"], []),  # never closed
    (["B-VALUE", "B-VALUE", "L-VALUE", "U-METRIC"], [(1, 3, "VALUE"), (3, 4, "METRIC")]),  # B restarts
    (["B-VALUE", "O", "L-VALUE", "O"], []),
    (["O", "O", "O", "O"], []),
])
def test_entity_tagger_decode_keeps_well_formed_entities_only(tags, expected):
    doc = spacy.blank("zh").make_doc("区司法局")
    entities, scores = decode(doc, tags, numpy.full((4,), 0.5, dtype="f"))
    assert [(e.start, e.end, e.label_) for e in entities] == expected
    assert scores == [0.5] * len(expected)


def test_entity_tagger_viterbi_repairs_a_missing_begin():
    labels = biluo_labels({"INSTITUTION", "VALUE"})
    probabilities = numpy.full((6, len(labels)), 0.01, dtype="f")
    rows = [{"O": 0.9}, {"O": 0.6, "B-INSTITUTION": 0.3}, {"O": 0.5, "I-INSTITUTION": 0.4},
            {"O": 0.5, "I-INSTITUTION": 0.45}, {"L-INSTITUTION": 0.8, "U-INSTITUTION": 0.1}, {"O": 0.9}]
    for i, row in enumerate(rows):
        for tag, p in row.items():
            probabilities[i, labels.index(tag)] = p
    assert [labels[i] for i in probabilities.argmax(axis=1)] == ["O", "O", "O", "O", "L-INSTITUTION", "O"]
    assert [labels[i] for i in constrained_tags(probabilities, labels)] == [
        "O", "B-INSTITUTION", "I-INSTITUTION", "I-INSTITUTION", "L-INSTITUTION", "O"]


@pytest.mark.parametrize("seed", range(20))
def test_entity_tagger_viterbi_sequences_are_well_formed(seed):
    """Every non-O tag of the decoded sequence belongs to an entity that `decode` keeps."""
    labels = biluo_labels({"METRIC", "VALUE", "INSTITUTION"})
    rng = numpy.random.default_rng(seed)
    probabilities = rng.dirichlet(numpy.full(len(labels), 0.3), size=60).astype("f")
    tags = [labels[i] for i in constrained_tags(probabilities, labels, margin=3)]
    doc = spacy.blank("zh").make_doc("字" * 60)
    entities, _ = decode(doc, tags, probabilities.max(axis=1))
    assert sum(len(e) for e in entities) == sum(tag != "O" for tag in tags)


def test_entity_tagger_labels_are_biluo():
    assert biluo_labels({"VALUE"}) == ["O", "B-VALUE", "I-VALUE", "L-VALUE", "U-VALUE"]


@pytest.fixture(scope="module", params=[{"@architectures": "spacy.Tagger.v2", "normalize": True},
                                        {"@architectures": "fazhi.EntityTagger.v1"}])
def trained(request):
    nlp = spacy.blank("zh")
    nlp.add_pipe("tok2vec")
    listener = {"@architectures": "spacy.Tok2VecListener.v1", "width": 96, "upstream": "*"}
    nlp.add_pipe("fazhi_entity_tagger", config={"model": {**request.param, "tok2vec": listener}})
    return train(nlp, lambda: [Example(nlp.make_doc(TEXT), gold_doc(nlp))], steps=80)


def test_entity_tagger_overfits_and_survives_to_disk(trained, tmp_path):
    doc = trained(TEXT)
    assert sorted((e.text, e.label_) for e in doc.ents) == EXPECTED
    assert all(0.5 < score <= 1.0 for score in doc.user_data[ENT_SCORES_KEY].values())
    trained.to_disk(tmp_path / "model")
    assert sorted((e.text, e.label_) for e in spacy.load(tmp_path / "model")(TEXT).ents) == EXPECTED


def test_entity_tagger_untrained_does_not_find_the_gold():
    nlp = spacy.blank("zh")
    nlp.add_pipe("tok2vec")
    nlp.add_pipe("fazhi_entity_tagger")
    nlp.initialize(lambda: [Example(nlp.make_doc(TEXT), gold_doc(nlp))])
    assert sorted((e.text, e.label_) for e in nlp(TEXT).ents) != EXPECTED


def test_entity_tagger_empty_doc():
    nlp = spacy.blank("zh")
    nlp.add_pipe("tok2vec")
    nlp.add_pipe("fazhi_entity_tagger")
    nlp.initialize(lambda: [Example(nlp.make_doc(TEXT), gold_doc(nlp))])
    assert list(nlp("").ents) == [] and list(nlp.pipe(["", "区司法局"]))[0].ents == ()
