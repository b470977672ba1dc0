"""Character-bigram embeddings (an ablation of the shared tok2vec, results/RESULTS.md)."""

import numpy
import spacy
from thinc.api import Config

from fazhi.ngram_embed import NgramFeatureExtractor, bigram_keys
from spacy.util import registry


def test_bigram_keys_pair_neighbours():
    left, right = bigram_keys(numpy.array([11, 22, 33], dtype="uint64"))
    assert (right[:-1] == left[1:]).all()  # the bigram after a character is the one before the next
    assert len(set(left.tolist()) | set(right.tolist())) == 4  # ^a, ab, bc, c$
    other_left, _ = bigram_keys(numpy.array([22, 11, 33], dtype="uint64"))
    assert other_left[1] != left[1]  # order matters: ba is not ab


def test_ngram_features_of_a_span_match_its_doc():
    nlp = spacy.blank("zh")
    doc = nlp("市司法局备案")
    extractor = NgramFeatureExtractor(["NORM", "SHAPE"])
    (whole,), (part,) = extractor.predict([doc]), extractor.predict([doc[1:4]])
    assert whole.shape == (6, 4)
    assert (part[:, :2] == whole[1:4, :2]).all()
    assert (part[:-1, 3] == whole[1:3, 3]).all()


def test_char_ngram_embed_gives_one_vector_per_character():
    config = Config().from_str("""
    [embed]
    @architectures = "fazhi.CharNgramEmbed.v1"
    width = 8
    attrs = ["NORM","SHAPE"]
    rows = [100,50]
    bigram_rows = 200
    """)
    model = registry.resolve(config)["embed"]
    nlp = spacy.blank("zh")
    docs = [nlp("广州市公安局增城区分局"), nlp("办结")]
    model.initialize(X=docs)
    vectors = model.predict(docs)
    assert [v.shape for v in vectors] == [(11, 8), (2, 8)]
    assert not numpy.allclose(vectors[0][0], vectors[0][1])
