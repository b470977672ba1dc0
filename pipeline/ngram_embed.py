"""Character embeddings with the neighbouring bigrams: spaCy's MultiHashEmbed, plus two hashed
features per character — the bigram it forms with the character before and with the one after.

Why: tokens are single characters (`segmenter = "char"`), so a NORM table knows 局 but not 分局
or 局长; the CNN can compose them, but a bigram table gives every two-character word its own
row from the first layer on. Character-bigram embeddings are the standard cheap word signal of
Chinese character taggers. Here they hurt (session 5, two seeds on dev, results/RESULTS.md):
METRIC 0.617 -> 0.520, INSTITUTION 0.840 -> 0.810, triples 0.367 -> 0.266 — the train split is
fitted even more closely (flat F1 on train 0.975 -> 0.987) on 150 reports. Not shipped; kept as
the ablation `configs/ablations/char_bigrams.cfg`.
"""

from __future__ import annotations

from typing import Callable

import numpy
from spacy.attrs import intify_attr
from spacy.tokens import Doc, Span
from spacy.util import registry
from thinc.api import HashEmbed, Maxout, Model, chain, concatenate, list2ragged, ragged2list, with_array
from thinc.types import Floats2d, Ints2d

# Stands for the text edge in the first character's left bigram and the last one's right bigram.
_EDGE = numpy.uint64(0x5EED_0F_ED6E)
_MIX = numpy.uint64(0x9E37_79B9_7F4A_7C15)


def bigram_keys(norms: numpy.ndarray) -> tuple[numpy.ndarray, numpy.ndarray]:
    """For a column of NORM hashes, the keys of each token's left and right bigram."""
    norms = norms.astype(numpy.uint64)
    padded = numpy.concatenate(([_EDGE], norms, [_EDGE]))
    with numpy.errstate(over="ignore"):
        pairs = padded[:-1] * _MIX ^ padded[1:]
    return pairs[:-1], pairs[1:]


def NgramFeatureExtractor(attrs: list[str | int]) -> Model[list[Doc], list[Ints2d]]:
    """The columns of `attrs` (as spaCy's FeatureExtractor), then the left and right bigram keys
    of the first attribute."""
    return Model("extract_ngram_features", _extract_forward, attrs={"columns": [intify_attr(a) for a in attrs]})


def _extract_forward(model: Model, docs: list[Doc | Span], is_train: bool) -> tuple[list[Ints2d], Callable]:
    columns = model.attrs["columns"]
    features = []
    for doc in docs:
        array = doc.to_array(columns) if isinstance(doc, Doc) else doc.doc.to_array(columns)[doc.start:doc.end]
        array = array.reshape((len(doc), len(columns))).astype(numpy.uint64)
        left, right = bigram_keys(array[:, 0])
        features.append(model.ops.asarray2i(numpy.column_stack((array, left, right)), dtype="uint64"))
    return features, lambda d_features: []


@registry.architectures("fazhi.CharNgramEmbed.v1")
def build_char_ngram_embed(width: int, attrs: list[str], rows: list[int], bigram_rows: int) -> Model[list[Doc], list[Floats2d]]:
    """MultiHashEmbed's layout (one hash table per column, concatenated, one Maxout to `width`)
    over `attrs` plus the two bigram columns of the first attribute, each in a table of
    `bigram_rows` rows."""
    if len(rows) != len(attrs):
        raise ValueError(f"fazhi.CharNgramEmbed.v1: {len(attrs)} attrs but {len(rows)} rows")
    all_rows = list(rows) + [bigram_rows, bigram_rows]
    tables = [HashEmbed(width, n_rows, column=i, seed=8 + i, dropout=0.0) for i, n_rows in enumerate(all_rows)]
    return chain(
        NgramFeatureExtractor(attrs),
        list2ragged(),
        with_array(concatenate(*tables)),
        with_array(Maxout(width, width * len(tables), nP=3, dropout=0.0, normalize=True)),
        ragged2list(),
    )
