"""The in-memory annotated document and its Doccano JSONL form (the format of annotations/).

Doccano 1.8 exports sequence labeling with relations as one JSON object a line:
``{"text", "entities": [{"id", "label", "start_offset", "end_offset"}],
"relations": [{"id", "from_id", "to_id", "type"}], ...metadata}``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Iterator

from .errors import InputError


@dataclass(frozen=True, order=True)
class SpanAnnotation:
    start: int
    end: int
    label: str
    id: int


@dataclass(frozen=True)
class RelationAnnotation:
    head: int
    tail: int
    label: str
    id: int = -1


@dataclass(frozen=True)
class AnnotatedDoc:
    """One annotated report: normalized text, spans of both layers, relations, metadata."""

    doc_id: str
    text: str
    spans: tuple[SpanAnnotation, ...] = ()
    relations: tuple[RelationAnnotation, ...] = ()
    meta: dict = field(default_factory=dict, compare=False, hash=False)

    def span(self, span_id: int) -> SpanAnnotation:
        for span in self.spans:
            if span.id == span_id:
                return span
        raise KeyError(span_id)

    def span_text(self, span: SpanAnnotation) -> str:
        return self.text[span.start:span.end]

    def with_meta(self, **meta) -> "AnnotatedDoc":
        return replace(self, meta={**self.meta, **meta})


def to_doccano(doc: AnnotatedDoc) -> dict:
    return {
        "source_id": doc.doc_id,
        "text": doc.text,
        "entities": [
            {"id": s.id, "label": s.label, "start_offset": s.start, "end_offset": s.end}
            for s in sorted(doc.spans)
        ],
        "relations": [
            {"id": r.id, "from_id": r.head, "to_id": r.tail, "type": r.label} for r in doc.relations
        ],
        "meta": doc.meta,
    }


def from_doccano(record: dict, where: str = "") -> AnnotatedDoc:
    """Build a document from one Doccano JSONL object; `where` (file:line) goes into errors."""
    try:
        text = record["text"]
        doc_id = str(record.get("source_id") or record.get("meta", {}).get("source_id") or record["id"])
        spans = tuple(
            SpanAnnotation(int(e["start_offset"]), int(e["end_offset"]), str(e["label"]), int(e["id"]))
            for e in record.get("entities", [])
        )
        relations = tuple(
            RelationAnnotation(int(r["from_id"]), int(r["to_id"]), str(r["type"]), int(r.get("id", -1)))
            for r in record.get("relations", [])
        )
    except (KeyError, TypeError, ValueError) as error:
        raise InputError(f"{where}: not a Doccano record with relations ({error!r} missing or malformed)") from error
    meta = dict(record["meta"]) if isinstance(record.get("meta"), dict) else {}
    # A Doccano export puts an example's metadata at the top level of the record.
    meta.update({k: v for k, v in record.items() if k not in _RECORD_KEYS})
    return AnnotatedDoc(doc_id, text, spans, relations, meta)


_RECORD_KEYS = {"id", "text", "source_id", "entities", "relations", "meta", "Comments", "label"}


def iter_jsonl(path: Path) -> Iterator[tuple[int, dict]]:
    """(line number, object) for each non-empty line; a line that is not a JSON object is an
    InputError naming the file and line."""
    with open(path, encoding="utf-8-sig") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise InputError(f"{path}:{number}: not JSON ({error.msg} at column {error.colno})") from error
            if not isinstance(record, dict):
                raise InputError(f"{path}:{number}: expected a JSON object, found {type(record).__name__}")
            yield number, record


def read_doccano(path: Path) -> Iterator[tuple[int, AnnotatedDoc]]:
    """(line number, document) for each non-empty line of a Doccano JSONL file."""
    for number, record in iter_jsonl(path):
        yield number, from_doccano(record, f"{path}:{number}")


def write_doccano(docs: Iterable[AnnotatedDoc], path: Path) -> int:
    """Write atomically: the previous file stays intact if anything fails."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    count = 0
    with open(tmp, "w", encoding="utf-8") as out:
        for doc in docs:
            out.write(json.dumps(to_doccano(doc), ensure_ascii=False) + "\n")
            count += 1
    tmp.replace(path)
    return count
