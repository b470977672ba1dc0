"""Flat entities (METRIC, VALUE, INSTITUTION) as per-character BILUO tags: spaCy's tagger,
trained on the BILUO tags of `doc.ents` instead of `token.tag_`, writing `doc.ents`.

Why not spaCy's `ner`: on character tokens its transition system takes about as long per
document as the whole shared tok2vec (benchmarks/components.py), while a softmax over the
token vectors is almost free. The shipped pipeline uses this tagger since session 4 (its METRICs
are replaced by the METRIC linker's); against `ner` it is level on the flat labels on dev and
costs some MEASURE accuracy through the shared tok2vec, reduced by `loss_weight`
(results/RESULTS.md). Only well-formed tag sequences become entities (see `decode`).
"""

from __future__ import annotations

from itertools import islice
from typing import Callable, Iterable

import numpy
from spacy.pipeline.tagger import Tagger
from spacy.tokens import Doc, Span
from spacy.training import Example, validate_examples, validate_get_examples
from spacy.util import registry
from thinc.api import Maxout, Model, SequenceCategoricalCrossentropy, Softmax_v2, chain, with_array, zero_init
from thinc.types import Floats2d

from .metrics import ENT_SCORES_KEY

OUTSIDE = "O"


def biluo_labels(entity_labels: Iterable[str]) -> list[str]:
    return [OUTSIDE] + [f"{prefix}-{label}" for label in sorted(entity_labels) for prefix in "BILU"]


@registry.architectures("fazhi.EntityTagger.v1")
def build_entity_tagger_model(tok2vec: Model[list[Doc], list[Floats2d]], hidden_width: int = 64,
                              nO: int | None = None) -> Model[list[Doc], list[Floats2d]]:
    """spacy.Tagger.v2 with a Maxout layer between the shared token vectors and the softmax, so
    that the tags need not be linearly separable in the vectors the span and relation
    components share (with the plain softmax, MEASURE recall on dev fell; results/RESULTS.md)."""
    output = chain(Maxout(nO=hidden_width, nP=2, normalize=True, dropout=0.0),
                   Softmax_v2(nO=nO, init_W=zero_init, normalize_outputs=True))
    model = chain(tok2vec, with_array(output))
    model.set_ref("tok2vec", tok2vec)
    model.set_ref("output", output.layers[-1])
    return model


def decode(doc: Doc, tags: list[str], probabilities: numpy.ndarray) -> tuple[list[Span], list[float]]:
    """Entities from per-token BILUO tags, each with its mean tag probability. Only well-formed
    entities are kept (U, or B I* L of one label); a broken sequence yields nothing. On dev
    this strict reading beat a greedy repair of broken sequences by 0.07 flat F1 (precision
    0.75 -> 0.92; results/RESULTS.md)."""
    entities, scores = [], []
    start, label = None, None
    for i, tag in enumerate(tags):
        prefix, tag_label = tag.split("-", 1) if tag != OUTSIDE else (OUTSIDE, None)
        if prefix == "U":
            entities.append(Span(doc, i, i + 1, label=tag_label))
            scores.append(float(probabilities[i]))
        elif prefix == "L" and start is not None and tag_label == label:
            entities.append(Span(doc, start, i + 1, label=label))
            scores.append(float(probabilities[start:i + 1].mean()))
        if prefix == "B":
            start, label = i, tag_label
        elif prefix != "I" or tag_label != label:
            start, label = None, None
    return entities, scores


def allowed_transitions(labels: list[str]) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
    """BILUO constraints as additive log masks (0 allowed, -inf not): transitions[previous, next],
    and which tags may open and close a sequence."""
    prefixes = [tag.split("-", 1)[0] if tag != OUTSIDE else OUTSIDE for tag in labels]
    names = [tag.split("-", 1)[1] if tag != OUTSIDE else None for tag in labels]
    n = len(labels)
    transitions = numpy.full((n, n), -numpy.inf, dtype="f")
    for i in range(n):
        for j in range(n):
            if prefixes[i] in ("B", "I"):
                ok = prefixes[j] in ("I", "L") and names[j] == names[i]
            else:
                ok = prefixes[j] in (OUTSIDE, "B", "U")
            if ok:
                transitions[i, j] = 0.0
    opens = numpy.array([0.0 if p in (OUTSIDE, "B", "U") else -numpy.inf for p in prefixes], dtype="f")
    closes = numpy.array([0.0 if p in (OUTSIDE, "L", "U") else -numpy.inf for p in prefixes], dtype="f")
    return transitions, opens, closes


def viterbi(log_probs: numpy.ndarray, transitions: numpy.ndarray, opens: numpy.ndarray, closes: numpy.ndarray) -> numpy.ndarray:
    """The most probable tag sequence that is well formed under the BILUO constraints."""
    n = len(log_probs)
    best = log_probs[0] + opens
    back = numpy.zeros((n, log_probs.shape[1]), dtype="i")
    for i in range(1, n):
        candidates = best[:, None] + transitions
        back[i] = candidates.argmax(axis=0)
        best = candidates[back[i], numpy.arange(len(best))] + log_probs[i]
    path = numpy.zeros(n, dtype="i")
    path[-1] = int((best + closes).argmax())
    for i in range(n - 1, 0, -1):
        path[i - 1] = back[i][path[i]]
    return path


def constrained_tags(probabilities: numpy.ndarray, labels: list[str], margin: int = 8) -> numpy.ndarray:
    """Tag indices: the best well-formed sequence (Viterbi) around every run of characters whose
    most probable tag is not O, widened by `margin` characters on each side; O elsewhere.
    Decoding only those windows keeps it cheap (most characters are O with high probability)."""
    best = probabilities.argmax(axis=1)
    outside = labels.index(OUTSIDE)
    tags = numpy.full(len(best), outside, dtype="i")
    active = numpy.flatnonzero(best != outside)
    if not len(active):
        return tags
    transitions, opens, closes = allowed_transitions(labels)
    log_probs = numpy.log(numpy.maximum(probabilities, 1e-9))
    # windows: runs of active characters closer than 2 * margin merged
    breaks = numpy.flatnonzero(numpy.diff(active) > 2 * margin)
    for first, last in zip(numpy.r_[active[0], active[breaks + 1]], numpy.r_[active[breaks], active[-1]]):
        start, end = max(0, first - margin), min(len(best), last + margin + 1)
        tags[start:end] = viterbi(log_probs[start:end], transitions, opens, closes)
    return tags


class EntityTagger(Tagger):
    def __init__(self, vocab, model, name: str = "entity_tagger", *, loss_weight: float = 1.0,
                 decoding: str = "argmax", scorer=None):
        super().__init__(vocab, model, name, scorer=scorer)
        if decoding not in ("viterbi", "argmax"):
            raise ValueError(f"fazhi_entity_tagger: decoding must be 'viterbi' or 'argmax', not {decoding!r}")
        # "argmax": each character's best tag, broken sequences dropped (`decode`); "viterbi": the
        # best well-formed BILUO sequence. On dev (shipped session-4 model) viterbi found 16 more
        # INSTITUTIONs but 33 more wrong ones: INSTITUTION F1 0.841 -> 0.823 (RESULTS.md, session 5).
        self.decoding = decoding
        # Scales this component's gradient into the shared tok2vec relative to the span and
        # relation components (a multi-task loss weight; results/RESULTS.md).
        self.loss_weight = loss_weight

    def predict(self, docs: Iterable[Doc]):
        docs = list(docs)
        if not any(len(doc) for doc in docs):
            return [self.model.ops.alloc2f(0, len(self.labels)) for _ in docs]
        return [self.model.ops.to_numpy(scores) for scores in self.model.predict(docs)]

    def set_annotations(self, docs: Iterable[Doc], batch_scores) -> None:
        labels = self.labels
        for doc, scores in zip(docs, batch_scores):
            if not len(scores):
                best = numpy.zeros((0,), dtype="i")
            elif self.decoding == "viterbi":
                best = constrained_tags(scores, list(labels))
            else:
                best = scores.argmax(axis=1)
            tags = [labels[i] for i in best.tolist()]
            entities, entity_scores = decode(doc, tags, scores[numpy.arange(len(best)), best])
            doc.set_ents(entities, default="outside")
            stored = doc.user_data.setdefault(ENT_SCORES_KEY, {})
            for entity, score in zip(entities, entity_scores):
                stored[f"{entity.start_char}:{entity.end_char}"] = score

    def get_loss(self, examples: Iterable[Example], scores):
        validate_examples(examples, "EntityTagger.get_loss")
        loss_func = SequenceCategoricalCrossentropy(names=self.labels, normalize=False)
        truths = [[tag if tag and tag != "-" else None for tag in eg.get_aligned_ner()] for eg in examples]
        d_scores, loss = loss_func(scores, truths)
        return float(loss) * self.loss_weight, [d * self.loss_weight for d in d_scores]

    def initialize(self, get_examples: Callable[[], Iterable[Example]], *, nlp=None, labels=None) -> None:
        validate_get_examples(get_examples, "EntityTagger.initialize")
        if labels is None:
            labels = biluo_labels({ent.label_ for eg in get_examples() for ent in eg.reference.ents})
        for label in labels:
            self.add_label(label)
        sample = list(islice(get_examples(), 10))
        truths = []
        for eg in sample:
            tags = eg.get_aligned_ner()
            truths.append(self.model.ops.asarray2f([[float(t == label) for label in self.labels] for t in tags]))
        self.model.initialize(X=[eg.predicted for eg in sample], Y=truths)
