"""The authoring format annotators write, and its conversion to Doccano JSONL.

Annotators (people or helper sessions) never type offsets. They read a numbered sheet of
a report's sentences and list each span by sentence number and exact text:

    {"doc_id": "r001", "annotator": "a1",
     "spans": [["m1", "MEASURE", 12, "召开4次府院联动联席会议"], ["v1", "VALUE", 12, "4次"],
               ["k1", "METRIC", 12, "府院联动联席会议"], ["v2", "VALUE", 14, "2件", 2]],
     "relations": [["k1", "HAS_VALUE", "v1"], ["m1", "MEASURED_BY", "k1"]],
     "notes": "unclear cases met"}

A fifth element picks the n-th occurrence (1-based) when the text occurs more than once
in its sentence. `resolve` turns this into an AnnotatedDoc with character offsets.
"""

from __future__ import annotations

import json
from pathlib import Path

from fazhi.annotation import AnnotatedDoc, RelationAnnotation, SpanAnnotation
from fazhi.structure import ReportStructure, analyse
from fazhi.validate import Problem, validate


def sheet(doc_id: str, text: str, title: str = "") -> str:
    """The numbered sentences of a report, with paragraphs and headings marked."""
    structure = analyse(text)
    heading_starts = {h.start: h for h in structure.headings}
    lines = [f"# {doc_id} {title}".rstrip(), "# S<n> = sentence number to cite; [H] = heading (no MEASURE); kind = section kind", ""]
    paragraph = -1
    for number, sentence in enumerate(structure.sentences):
        if sentence.paragraph != paragraph:
            paragraph = sentence.paragraph
            lines.append(f"--- paragraph {paragraph} ({structure.section_at(sentence.start).kind})")
        mark = " [H]" if sentence.start in heading_starts else ""
        lines.append(f"S{number}{mark}\t{text[sentence.start:sentence.end]}")
    return "\n".join(lines) + "\n"


def resolve(authored: dict, text: str, where: str) -> tuple[AnnotatedDoc | None, list[Problem]]:
    structure = analyse(text)
    problems: list[Problem] = []
    located: dict[str, tuple[int, int, str]] = {}
    for number, entry in enumerate(authored.get("spans", [])):
        span_where = f"{where}: spans[{number}] {entry!r}"
        placed = _locate(entry, text, structure, span_where, problems)
        if placed is None:
            continue
        if entry[0] in located:
            problems.append(Problem(span_where, f"local id {entry[0]!r} is used twice"))
            continue
        located[entry[0]] = placed
    order = sorted(located, key=lambda key: located[key])
    ids = {key: i for i, key in enumerate(order)}
    spans = tuple(SpanAnnotation(*located[key], id=ids[key]) for key in order)
    relations = []
    for number, entry in enumerate(authored.get("relations", [])):
        if not (isinstance(entry, list) and len(entry) == 3):
            problems.append(Problem(f"{where}: relations[{number}]", f"{entry!r} is not [head_id, TYPE, tail_id]"))
            continue
        head, label, tail = entry
        if head not in ids or tail not in ids:
            missing = head if head not in ids else tail
            problems.append(Problem(f"{where}: relations[{number}] {entry!r}", f"no span with local id {missing!r}"))
            continue
        relations.append(RelationAnnotation(ids[head], ids[tail], label, id=len(relations)))
    doc = AnnotatedDoc(
        str(authored.get("doc_id")), text, spans, tuple(relations),
        {"annotator": authored.get("annotator", "unknown")},
    )
    problems.extend(validate(doc, where))
    return doc, problems


def _locate(entry, text: str, structure: ReportStructure, where: str, problems: list[Problem]):
    if not (isinstance(entry, list) and len(entry) in (4, 5) and isinstance(entry[2], int) and isinstance(entry[3], str)):
        problems.append(Problem(where, "a span is [local_id, LABEL, sentence_number, text] or with a 5th element, the occurrence"))
        return None
    _, label, number, span_text = entry[:4]
    occurrence = entry[4] if len(entry) == 5 else None
    if not 0 <= number < len(structure.sentences):
        problems.append(Problem(where, f"there is no sentence S{number} (the report has {len(structure.sentences)})"))
        return None
    sentence = structure.sentences[number]
    sentence_text = text[sentence.start:sentence.end]
    starts = [i for i in range(len(sentence_text)) if sentence_text.startswith(span_text, i)] if span_text else []
    if not starts:
        problems.append(Problem(where, f"{span_text!r} does not occur in S{number}: {sentence_text[:60]!r}…; copy the text exactly"))
        return None
    if occurrence is None and len(starts) > 1:
        problems.append(Problem(where, f"{span_text!r} occurs {len(starts)} times in S{number}; add the occurrence number as a 5th element"))
        return None
    index = (occurrence or 1) - 1
    if not 0 <= index < len(starts):
        problems.append(Problem(where, f"occurrence {occurrence} asked, {span_text!r} occurs {len(starts)} times in S{number}"))
        return None
    start = sentence.start + starts[index]
    return start, start + len(span_text), label


def render_inline(doc: AnnotatedDoc) -> str:
    """The text with spans bracketed, for review: [MEASURE#3 召开[VALUE#4 4次]…]."""
    opens: dict[int, list[SpanAnnotation]] = {}
    closes: dict[int, int] = {}
    for span in doc.spans:
        opens.setdefault(span.start, []).append(span)
        closes[span.end] = closes.get(span.end, 0) + 1
    out = []
    for i, ch in enumerate(doc.text + "\0"):
        out.append("]" * closes.get(i, 0))
        for span in sorted(opens.get(i, []), key=lambda s: -s.end):
            out.append(f"[{span.label}#{span.id} ")
        if ch != "\0":
            out.append(ch)
    lines = ["".join(out)]
    for relation in doc.relations:
        head, tail = doc.span(relation.head), doc.span(relation.tail)
        lines.append(f"  {relation.label}: {doc.span_text(head)} -> {doc.span_text(tail)}")
    return "\n".join(lines)


def load_authored(path: Path) -> dict:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)
