"""Every factory and registered function of fazhi, in one module (as spaCy 3.8 does), exposed
through the spacy_factories / spacy_architectures entry points of pyproject.toml so that
`spacy train` and `spacy.load` need no --code file.

spaCy forbids "." in factory names (error E853), so factories carry a `fazhi_` prefix;
registered functions (architectures, readers, scorers) use the `fazhi.` namespace."""

from __future__ import annotations

from spacy.language import Language

from . import extensions  # noqa: F401  (declares the doc._ extensions)


@Language.factory("fazhi_rules", requires=[], assigns=["doc.ents", "doc.spans", "doc._.relations"])
def make_rules(nlp: Language, name: str):
    from .rules import RuleExtractor

    return RuleExtractor(nlp, name)


@Language.factory("fazhi_value_ruler", assigns=["doc.ents"], default_config={"overwrite": False})
def make_value_ruler(nlp: Language, name: str, overwrite: bool):
    from .rules import ValueRuler

    return ValueRuler(nlp, name, overwrite)
