"""Word information for a character-level pipeline ("soft" segmentation features).

Tokens stay single characters: jieba's words cover only 96.5% of the gold span boundaries
(results/segmenter_alignment.json), so word tokens would make the other spans impossible.
Instead each character token gets the jieba word it sits in and its position there
(B begin, M middle, E end, S single), written to `token.lemma_` as e.g. "B规范性". The
tok2vec embeds LEMMA next to NORM and SHAPE, so word boundaries inform span boundaries
without constraining them. jieba's dictionary mode (HMM off) keeps the feature
deterministic and the string store bounded by jieba's dictionary.
"""

from __future__ import annotations

import logging

import numpy
from spacy.attrs import IDX
from spacy.tokens import Doc


def _position(token_start: int, word_start: int, word_end: int) -> str:
    if word_end - word_start == 1:
        return "S"
    if token_start == word_start:
        return "B"
    return "E" if token_start == word_end - 1 else "M"


class SoftWords:
    def __init__(self, name: str = "fazhi_softwords"):
        self.name = name
        self._segmenter = None

    @property
    def segmenter(self):
        if self._segmenter is None:
            import jieba

            jieba.setLogLevel(logging.WARNING)
            self._segmenter = jieba.Tokenizer()
        return self._segmenter

    def __call__(self, doc: Doc) -> Doc:
        words = list(self.segmenter.tokenize(doc.text, HMM=False))
        if not words:
            return doc
        word_starts = numpy.array([start for _, start, _ in words])
        token_starts = doc.to_array(IDX).tolist()
        containing = numpy.searchsorted(word_starts, token_starts, side="right") - 1
        for token, token_start, k in zip(doc, token_starts, containing.tolist()):
            word, word_start, word_end = words[k]
            token.lemma_ = _position(token_start, word_start, word_end) + word
        return doc

    def pipe(self, docs, batch_size: int = 128):
        for doc in docs:
            yield self(doc)
