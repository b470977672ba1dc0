"""Gold Doccano JSONL -> spaCy DocBin files for training and evaluation.

Training docs are paragraphs (relations never leave a paragraph, and short docs batch
well); evaluation uses whole reports (`--whole`). Every doc keeps its report id and
paragraph number in user_data, and its relations in doc._.relations.
"""

from __future__ import annotations

import json
from pathlib import Path

import spacy
import typer
from spacy.language import Language
from spacy.tokens import Doc, DocBin

from fazhi.annotation import AnnotatedDoc, RelationAnnotation, SpanAnnotation
from fazhi.errors import FazhiError
from fazhi.extensions import Relation
from fazhi.schema import MEASURE, MEASURE_SPANS_KEY, METRIC_SPANS_KEY

from .gold import read_gold


def to_doc(nlp: Language, annotated: AnnotatedDoc) -> Doc:
    doc = nlp.make_doc(annotated.text)
    spans = {}
    for span in annotated.spans:
        made = doc.char_span(span.start, span.end, label=span.label)
        if made is None:
            raise FazhiError(
                f"{annotated.doc_id}: {span.label} span {span.id} [{span.start},{span.end}) "
                f"{annotated.span_text(span)!r} does not align with the tokenizer's tokens"
            )
        spans[span.id] = made
    doc.ents = sorted((s for s in spans.values() if s.label_ != MEASURE), key=lambda s: s.start)
    doc.spans[MEASURE_SPANS_KEY] = sorted((s for s in spans.values() if s.label_ == MEASURE), key=lambda s: s.start)
    # the value-anchored METRIC span categorizer trains from its own key
    doc.spans[METRIC_SPANS_KEY] = [s for s in doc.ents if s.label_ == "METRIC"]
    doc._.relations = [Relation(spans[r.head], spans[r.tail], r.label) for r in annotated.relations]
    doc.user_data["doc_id"] = annotated.doc_id
    return doc


def paragraphs(annotated: AnnotatedDoc) -> list[AnnotatedDoc]:
    """Split a report into paragraph documents with spans and relations re-based."""
    pieces = []
    start = 0
    for number, line in enumerate(annotated.text.split("\n")):
        end = start + len(line)
        spans = tuple(
            SpanAnnotation(s.start - start, s.end - start, s.label, s.id)
            for s in annotated.spans if start <= s.start and s.end <= end
        )
        ids = {s.id for s in spans}
        relations = tuple(
            RelationAnnotation(r.head, r.tail, r.label, r.id) for r in annotated.relations if r.head in ids and r.tail in ids
        )
        if line.strip():
            pieces.append(AnnotatedDoc(f"{annotated.doc_id}#{number}", line, spans, relations, annotated.meta))
        start = end + 1
    return pieces


def write_docbin(nlp: Language, docs: list[AnnotatedDoc], path: Path, whole: bool = False) -> int:
    bin_ = DocBin(store_user_data=True)
    count = 0
    for annotated in docs:
        for piece in ([annotated] if whole else paragraphs(annotated)):
            bin_.add(to_doc(nlp, piece))
            count += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    bin_.to_disk(path)
    return count


def main(
    gold: Path = typer.Argument(..., help="Gold Doccano JSONL (annotations/gold/gold.jsonl)."),
    splits: Path = typer.Argument(..., help="Split manifest (annotations/splits.json)."),
    out: Path = typer.Argument(..., help="Folder for train.spacy, dev.spacy, test.spacy."),
    fold: int = typer.Option(-1, help="Write cross-validation fold K instead (train = other folds, dev = fold K)."),
    lang: str = typer.Option("zh", help="Language of the tokenizer (char segmentation)."),
    limit: int = typer.Option(0, help="Use at most this many documents per split (for smoke tests)."),
) -> None:
    nlp = spacy.blank(lang)
    manifest = json.loads(splits.read_text(encoding="utf-8"))
    by_id = {doc.doc_id: doc for doc in read_gold(gold)}
    if fold >= 0:
        held = set(manifest["folds"][fold])
        pool = manifest["train"] + manifest["dev"]
        parts = {"train": [d for d in pool if d not in held], "dev": sorted(held)}
    else:
        parts = {name: manifest[name] for name in ("train", "dev", "test")}
    for name, ids in parts.items():
        docs = [by_id[doc_id] for doc_id in ids if doc_id in by_id]
        missing = [doc_id for doc_id in ids if doc_id not in by_id]
        if missing:
            typer.echo(f"warning: {len(missing)} {name} documents have no gold annotation yet: {missing[:5]}…", err=True)
        if limit:
            docs = docs[:limit]
        paragraphs_written = write_docbin(nlp, docs, out / f"{name}.spacy")
        write_docbin(nlp, docs, out / f"{name}.whole.spacy", whole=True)
        typer.echo(f"{name}: {len(docs)} reports, {paragraphs_written} paragraphs -> {out / f'{name}.spacy'}")


if __name__ == "__main__":
    typer.run(main)
