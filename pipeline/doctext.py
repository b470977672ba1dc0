"""The text of a Doc, joined once.

`Doc.text` joins every token's text on each access; the suggesters, the METRIC linker, the
VALUE patterns and the relation extractor each read it for every document (five joins per
document, ~1% of the reference pipeline's time each). The first join is kept for as long as
the Doc lives (a Doc's text never changes).
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

from spacy.tokens import Doc

_TEXTS: WeakKeyDictionary = WeakKeyDictionary()


def doc_text(doc: Doc) -> str:
    text = _TEXTS.get(doc)
    if text is None:
        text = _TEXTS[doc] = doc.text
    return text
