"""The rule-only baseline: patterns for VALUE, METRIC, INSTITUTION and MEASURE, and
relations by proximity. It is the baseline the trained pipeline is measured against, and
its VALUE patterns can run as a rule component in front of the trained `ner`.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import filter_spans

from . import lexicon
from .doctext import doc_text
from .extensions import Relation
from .structure import ReportStructure, analyse

_NUM = r"\d+(?:\.\d+)?"
_AFTER_RANK_VERB = "|".join(f"(?<={verb})" for verb in lexicon.RANK_VERBS)
_UNITS = "|".join(sorted(map(re.escape, lexicon.UNITS), key=len, reverse=True))
VALUE_PATTERN = re.compile(
    rf"(?:{'|'.join(lexicon.APPROX_MARKS_BEFORE)})?{_NUM}(?:万|亿)?(?:余|多)?(?:{_UNITS})(?:余|多)?(?:{'|'.join(lexicon.BOUND_MARKS)})?"
    rf"|(?:全(?:国|省|市|区|县|州|盟|旗)[\u4e00-\u9fff]{{0,4}}?|{_AFTER_RANK_VERB})(?:第[一二三四五六七八九十\d]+(?:名|位)?|首位)(?![批个次届家轮期一二三四五六七八九十\d])"
    rf"|(?<=[\u4e00-\u9fff])零(?=[\u4e00-\u9fff]{{2}})"
)
# Numbers that are not values: dates, years, document numbers, numbers in names and quotes.
_NOT_VALUE_AFTER = re.compile(r"^(年|月|日|号|届|次会议|—|-)")
_QUOTED = re.compile(r"《[^》]*》|“[^”]*”")
_PLACE = "|".join(lexicon.PLACE_SUFFIXES)
_ORGAN = "|".join(sorted(map(re.escape, lexicon.ORGAN_SUFFIXES), key=len, reverse=True))
INSTITUTION_PATTERN = re.compile(
    rf"(?:中共)?(?:[\u4e00-\u9fff]{{1,6}}?(?:{_PLACE}))+?(?:[\u4e00-\u9fff]{{0,8}}?)(?:{_ORGAN})"
    rf"|党中央|国务院"
)
_NOT_INSTITUTION = re.compile(r"^(全|各|我|本|该|乡镇|每)")
_CLAUSE = re.compile(r"[^，,；;。！？：:\n]+")


def find_values(text: str) -> list[tuple[int, int]]:
    quoted = [m.span() for m in _QUOTED.finditer(text)]
    spans = []
    for match in VALUE_PATTERN.finditer(text):
        start, end = match.span()
        if _NOT_VALUE_AFTER.match(text[end:end + 4]) or any(a <= start < b for a, b in quoted):
            continue
        if start > 0 and text[start - 1] in "第":
            continue
        spans.append((start, end))
    return spans


def find_institutions(text: str) -> list[tuple[int, int]]:
    quoted = [m.span() for m in _QUOTED.finditer(text) if m.group(0).startswith("《")]
    spans = []
    for match in INSTITUTION_PATTERN.finditer(text):
        start, end = match.span()
        while start < end and text[start] in lexicon.INSTITUTION_STOP_CHARS:
            start += 1
        if end - start < 2 or _NOT_INSTITUTION.match(text[start:end]) or any(a <= start < b for a, b in quoted):
            continue
        spans.append((start, end))
    return spans


def find_metric(text: str, value_start: int, value_end: int) -> tuple[int, int] | None:
    """The phrase before a value up to the clause start, without linkers and scope words;
    after a verb + count (召开4次府院联动联席会议), the noun phrase after the value."""
    clause_start = max(text.rfind(ch, 0, value_start) for ch in "，,；;。：:、(（\n") + 1
    start, end = clause_start, value_start
    prefix = text[start:end]
    for linker in lexicon.METRIC_LINKERS:
        if prefix.endswith(linker):
            end -= len(linker)
            break
    for scope in lexicon.SCOPE_WORDS + tuple(f"{y}年" for y in range(2015, 2027)):
        if text.startswith(scope, start) and end - start > len(scope):
            start += len(scope)
    if end - start >= 2 and not any(text[start:end].endswith(v) for v in lexicon.MEASURE_VERBS[:20]):
        return start, end
    after = re.match(r"[\u4e00-\u9fff“”]{2,20}", text[value_end:])
    if after:
        return value_end, value_end + len(after.group(0).rstrip("“”"))
    return None


def find_measures(text: str, structure: ReportStructure | None = None) -> list[tuple[int, int]]:
    structure = structure or analyse(text)
    heading_ranges = [(h.start, h.end) for h in structure.headings]
    measures = []
    for clause in _CLAUSE.finditer(text):
        start, end = clause.span()
        section = structure.section_at(start)
        if section.kind in ("plans", "problems", "preamble") or any(a <= start < b for a, b in heading_ranges):
            continue
        start = _skip_front(text, start, end)
        if start is not None and end - start >= 4:
            measures.append((start, end))
    return measures


def _skip_front(text: str, start: int, end: int) -> int | None:
    """Skip subject, time and adverbs before the action verb; None if no verb opens the rest."""
    for _ in range(6):
        rest = text[start:end]
        verb = next((v for v in lexicon.MEASURE_VERBS if rest.startswith(v)), None)
        if verb is not None:
            return start
        skip = next((a for a in lexicon.LEADING_ADVERBS + lexicon.SCOPE_WORDS if rest.startswith(a)), None)
        if skip is None:
            subject = re.match(r"(\d{4}年(以来|度)?|今年以来|[\u4e00-\u9fff]{2,10}?(局|委|政府|办|院))", rest)
            if subject is None:
                return None
            skip = subject.group(0)
        start += len(skip)
    return None


def annotate(doc: Doc) -> Doc:
    text = doc_text(doc)
    structure = analyse(text)
    values = [doc.char_span(s, e, label="VALUE", alignment_mode="expand") for s, e in find_values(text)]
    values = [v for v in values if v is not None]
    institutions = [doc.char_span(s, e, label="INSTITUTION", alignment_mode="expand") for s, e in find_institutions(text)]
    metrics, has_value = [], []
    for value in values:
        found = find_metric(text, value.start_char, value.end_char)
        if found is not None:
            metric = doc.char_span(*found, label="METRIC", alignment_mode="expand")
            if metric is not None:
                metrics.append(metric)
                has_value.append((metric, value))
    flat = filter_spans([s for s in values + metrics + institutions if s is not None])
    doc.ents = flat
    kept = {(s.start_char, s.end_char, s.label_) for s in flat}
    measures = [doc.char_span(s, e, label="MEASURE", alignment_mode="expand") for s, e in find_measures(text, structure)]
    doc.spans["measure"] = [m for m in measures if m is not None]
    doc._.relations = _relations(doc, has_value, kept, structure)
    return doc


def _relations(doc: Doc, has_value, kept, structure) -> list[Relation]:
    def ok(span):
        return (span.start_char, span.end_char, span.label_) in kept

    relations = [Relation(m, v, "HAS_VALUE") for m, v in has_value if ok(m) and ok(v)]
    measures = list(doc.spans["measure"])
    for metric, _ in has_value:
        if not ok(metric):
            continue
        sentence = structure.sentence_at(metric.start_char)
        candidates = [m for m in measures if sentence and sentence.start <= m.start_char <= metric.start_char]
        if candidates:
            relations.append(Relation(candidates[-1], metric, "MEASURED_BY"))
    for measure in measures:
        sentence = structure.sentence_at(measure.start_char)
        for ent in doc.ents:
            if ent.label_ != "INSTITUTION":
                continue
            inside = measure.start_char <= ent.start_char < measure.end_char
            subject = sentence is not None and sentence.start <= ent.start_char < measure.start_char and ent.start_char - sentence.start <= 2
            if inside or subject:
                relations.append(Relation(measure, ent, "INVOLVES"))
    return relations


class RuleExtractor:
    """Sets doc.ents, doc.spans["measure"] and doc._.relations from patterns alone."""

    def __init__(self, nlp: Language, name: str):
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        return annotate(doc)


class ValueRuler:
    """Adds VALUE spans from patterns where the statistical `ner` left the characters free."""

    def __init__(self, nlp: Language, name: str, overwrite: bool = False):
        self.name = name
        self.overwrite = overwrite

    def __call__(self, doc: Doc) -> Doc:
        found = [doc.char_span(s, e, label="VALUE", alignment_mode="strict") for s, e in find_values(doc_text(doc))]
        found = [span for span in found if span is not None]
        if self.overwrite:
            doc.ents = filter_spans(found + list(doc.ents))
        else:
            taken = set()
            for ent in doc.ents:
                taken.update(range(ent.start, ent.end))
            free = [span for span in found if not taken.intersection(range(span.start, span.end))]
            doc.ents = sorted(list(doc.ents) + free, key=lambda s: s.start)
        return doc

