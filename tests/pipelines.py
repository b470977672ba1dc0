"""Small pipelines and docs the tests train or build (no downloads)."""

from spacy.training import Example

from fazhi.extensions import Relation

TEXT = "持续减少审批环节,不见面审批事项占比达到100%。区司法局召开4次联席会议。"


def _at(text, piece, occurrence=1):
    start = -1
    for _ in range(occurrence):
        start = text.index(piece, start + 1)
    return start, start + len(piece)


GOLD = {
    "ents": [("不见面审批事项占比", "METRIC"), ("100%", "VALUE"), ("区司法局", "INSTITUTION"), ("4次", "VALUE"), ("联席会议", "METRIC")],
    "measures": ["减少审批环节", "召开4次联席会议"],
    "relations": [("不见面审批事项占比", "100%", "HAS_VALUE"), ("减少审批环节", "不见面审批事项占比", "MEASURED_BY"),
                  ("联席会议", "4次", "HAS_VALUE"), ("召开4次联席会议", "联席会议", "MEASURED_BY"),
                  ("召开4次联席会议", "区司法局", "INVOLVES")],
}


def gold_doc(nlp, text=TEXT, gold=GOLD):
    doc = nlp.make_doc(text)
    doc.ents = [doc.char_span(*_at(text, piece), label=label) for piece, label in gold["ents"]]
    doc.spans["measure"] = [doc.char_span(*_at(text, piece), label="MEASURE") for piece in gold["measures"]]
    doc.spans["metric"] = [ent for ent in doc.ents if ent.label_ == "METRIC"]
    spans = {span.text: span for span in list(doc.ents) + list(doc.spans["measure"])}
    doc._.relations = [Relation(spans[h], spans[t], label) for h, t, label in gold["relations"]]
    return doc


def relations_of(doc):
    return sorted((r.head.text, r.tail.text, r.label) for r in doc._.relations)


def train(nlp, examples_fn, steps=60):
    optimizer = nlp.initialize(examples_fn)
    for _ in range(steps):
        nlp.update(examples_fn(), sgd=optimizer, losses={})
    return nlp


def relation_examples(nlp):
    def make():
        reference = gold_doc(nlp)
        predicted = nlp.make_doc(TEXT)
        predicted.ents = [predicted.char_span(e.start_char, e.end_char, label=e.label_) for e in reference.ents]
        predicted.spans["measure"] = [predicted.char_span(m.start_char, m.end_char, label="MEASURE") for m in reference.spans["measure"]]
        return [Example(predicted, reference)]
    return make
