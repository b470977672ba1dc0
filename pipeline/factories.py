"""Every factory and registered function of fazhi, in one module (as spaCy 3.8 does), exposed
through the spacy_factories / spacy_architectures entry points of pyproject.toml so that
`spacy train` and `spacy.load` need no --code file.

spaCy forbids "." in factory names (error E853), so factories carry a `fazhi_` prefix;
registered functions (architectures, readers, scorers) use the `fazhi.` namespace."""

from __future__ import annotations

from spacy.language import Language
from spacy.util import registry

from . import relation_model  # noqa: F401  (registers fazhi.RelationModel.v1)
from . import span_vectors  # noqa: F401  (registers fazhi.EndpointSpanCategorizer.v1)
from . import metric_linker  # noqa: F401  (registers fazhi.MetricLinker.v1)

from . import extensions  # noqa: F401  (declares the doc._ extensions)


@Language.factory("fazhi_rules", requires=[], assigns=["doc.ents", "doc.spans", "doc._.relations"])
def make_rules(nlp: Language, name: str):
    from .rules import RuleExtractor

    return RuleExtractor(nlp, name)


@Language.factory("fazhi_value_ruler", assigns=["doc.ents"], default_config={"overwrite": False})
def make_value_ruler(nlp: Language, name: str, overwrite: bool):
    from .rules import ValueRuler

    return ValueRuler(nlp, name, overwrite)


@Language.factory(
    "fazhi_relation_extractor",
    requires=["doc.ents", "doc.spans"],
    assigns=["doc._.relations"],
    default_config={
        "model": {
            "@architectures": "fazhi.RelationModel.v1",
            "hidden_width": 64,
            "tok2vec": {
                "@architectures": "spacy.HashEmbedCNN.v2",
                "pretrained_vectors": None, "width": 96, "depth": 2, "embed_size": 2000,
                "window_size": 1, "maxout_pieces": 3, "subword_features": False,
            },
        },
        "threshold": 0.5,
        "max_distance": 120,
        "scorer": {"@scorers": "fazhi.relation_scorer.v1"},
    },
    default_score_weights={"rel_micro_f": 1.0, "rel_micro_p": 0.0, "rel_micro_r": 0.0},
)
def make_relation_extractor(nlp: Language, name: str, model, threshold: float, max_distance: int, scorer):
    from .relation_extractor import RelationExtractor

    return RelationExtractor(nlp.vocab, model, name, threshold=threshold, max_distance=max_distance, scorer=scorer)


@registry.scorers("fazhi.relation_scorer.v1")
def make_relation_scorer():
    from .relation_extractor import score_relations

    return score_relations


@registry.misc("fazhi.clause_suggester.v1")
def make_clause_suggester(max_start: int = 24, max_clauses: int = 2, min_length: int = 2):
    from functools import partial

    from .suggesters import clause_suggester

    return partial(clause_suggester, max_start=max_start, max_clauses=max_clauses, min_length=min_length)


@Language.factory(
    "fazhi_measure_resolver",
    requires=["doc.spans"],
    assigns=["doc.spans"],
    default_config={"spans_key": "measure"},
)
def make_measure_resolver(nlp: Language, name: str, spans_key: str):
    from .measures import MeasureResolver

    return MeasureResolver(name, spans_key)


@registry.misc("fazhi.metric_suggester.v1")
def make_metric_suggester(back: int = 24, forward: int = 24):
    from functools import partial

    from .suggesters import metric_suggester

    return partial(metric_suggester, back=back, forward=forward)


@registry.misc("fazhi.metric_suggester.v2")
def make_metric_suggester_v2(back: int = 24, forward: int = 24, linkers: str = "、和及与（("):
    """v1 plus candidates ending at an opening bracket before the value: 刑事立案数（同比下降13.4%）."""
    from functools import partial

    from .suggesters import metric_suggester

    return partial(metric_suggester, back=back, forward=forward, linkers=linkers)


@Language.factory(
    "fazhi_metric_merger",
    requires=["doc.ents", "doc.spans"],
    assigns=["doc.ents"],
    default_config={"spans_key": "metric"},
)
def make_metric_merger(nlp: Language, name: str, spans_key: str):
    from .metrics import MetricMerger

    return MetricMerger(name, spans_key)


@Language.factory(
    "fazhi_metric_linker",
    requires=["doc.ents"],
    assigns=["doc.ents"],
    default_config={
        "model": {
            "@architectures": "fazhi.MetricLinker.v1",
            "hidden_width": 64,
            "tok2vec": {"@architectures": "spacy.Tok2VecListener.v1", "width": 96, "upstream": "*"},
        },
        "back": 24,
        "forward": 24,
        "linkers": "、和及与（(",
        "coordinated": 0.5,
        "scorer": {"@scorers": "spacy.ner_scorer.v1"},
    },
    default_score_weights={"ents_f": 1.0, "ents_p": 0.0, "ents_r": 0.0, "ents_per_type": None},
)
def make_metric_linker(nlp: Language, name: str, model, back: int, forward: int, linkers: str, coordinated: float,
                       scorer):
    from .metric_linker import MetricLinker

    return MetricLinker(nlp.vocab, model, name, back=back, forward=forward, linkers=linkers,
                        coordinated=coordinated, scorer=scorer)


@Language.factory("fazhi_softwords", assigns=["token.lemma"])
def make_softwords(nlp: Language, name: str):
    from .softwords import SoftWords

    return SoftWords(name)


@Language.factory(
    "fazhi_entity_tagger",
    assigns=["doc.ents"],
    default_config={
        "model": {
            "@architectures": "spacy.Tagger.v2",
            "nO": None,
            "normalize": True,  # probabilities at inference: they are the entity scores
            "tok2vec": {"@architectures": "spacy.Tok2VecListener.v1", "width": 96, "upstream": "*"},
        },
        "loss_weight": 1.0,
        "decoding": "argmax",  # "viterbi" raised INSTITUTION recall but cost more precision (RESULTS.md)
        "scorer": {"@scorers": "spacy.ner_scorer.v1"},
    },
    default_score_weights={"ents_f": 1.0, "ents_p": 0.0, "ents_r": 0.0, "ents_per_type": None},
)
def make_entity_tagger(nlp: Language, name: str, model, loss_weight: float, decoding: str, scorer):
    from .entity_tagger import EntityTagger

    return EntityTagger(nlp.vocab, model, name, loss_weight=loss_weight, decoding=decoding, scorer=scorer)
