"""Prodigy JSONL (spans + relations, as rel.manual / spans.manual write them) <-> AnnotatedDoc.

Tokens are written explicitly with the pipeline's segmenter, spans carry inclusive
`token_start`/`token_end`, and a relation's `head`/`child` are the index of the last token of
its span, with `head_span`/`child_span` alongside, as Prodigy writes them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Iterator

from spacy.language import Language

from .annotation import AnnotatedDoc, RelationAnnotation, SpanAnnotation, iter_jsonl
from .errors import InputError
from .schema import COLOURS


def _tokens(nlp: Language, text: str) -> list[dict]:
    return [
        {"text": t.text, "start": t.idx, "end": t.idx + len(t.text), "id": t.i, "ws": bool(t.whitespace_)}
        for t in nlp.make_doc(text)
    ]


def _token_index(tokens: list[dict], doc_id: str) -> tuple[dict[int, int], dict[int, int]]:
    return {t["start"]: t["id"] for t in tokens}, {t["end"]: t["id"] for t in tokens}


def to_prodigy(doc: AnnotatedDoc, nlp: Language) -> dict:
    tokens = _tokens(nlp, doc.text)
    by_start, by_end = _token_index(tokens, doc.doc_id)
    spans = {}
    for span in sorted(doc.spans):
        if span.start not in by_start or span.end not in by_end:
            raise InputError(f"{doc.doc_id}: {span.label} span {span.id} [{span.start},{span.end}) does not align with tokens")
        spans[span.id] = {"start": span.start, "end": span.end, "token_start": by_start[span.start],
                          "token_end": by_end[span.end], "label": span.label}
    relations = [
        {"head": spans[r.head]["token_end"], "child": spans[r.tail]["token_end"],
         "head_span": spans[r.head], "child_span": spans[r.tail], "label": r.label, "color": COLOURS.get(r.label)}
        for r in doc.relations
    ]
    return {"text": doc.text, "tokens": tokens, "spans": list(spans.values()), "relations": relations,
            "meta": {"source_id": doc.doc_id, **doc.meta}, "answer": "accept"}


def from_prodigy(record: dict, where: str) -> AnnotatedDoc:
    """One Prodigy task as an AnnotatedDoc; spans that disagree with the task's tokens are errors."""
    try:
        text, tokens = record["text"], record.get("tokens", [])
        doc_id = str(record.get("meta", {}).get("source_id") or record.get("_input_hash") or where)
        keys: dict[tuple, int] = {}
        spans = []
        for number, span in enumerate(record.get("spans", [])):
            _check_tokens(span, tokens, f"{where}: spans[{number}]")
            key = (span["start"], span["end"], span["label"])
            if key not in keys:
                keys[key] = len(spans)
                spans.append(SpanAnnotation(span["start"], span["end"], span["label"], keys[key]))
        relations = []
        for number, relation in enumerate(record.get("relations", [])):
            ends = []
            for role in ("head_span", "child_span"):
                span = relation[role]
                key = (span["start"], span["end"], span["label"])
                if key not in keys:
                    raise InputError(f"{where}: relations[{number}] {role} [{span['start']},{span['end']}) {span['label']} is not one of the task's spans")
                ends.append(keys[key])
            relations.append(RelationAnnotation(ends[0], ends[1], relation["label"], number))
    except KeyError as error:
        raise InputError(f"{where}: not a Prodigy span/relation task ({error.args[0]!r} missing)") from error
    meta = {k: v for k, v in record.get("meta", {}).items() if k != "source_id"}
    return AnnotatedDoc(doc_id, text, tuple(spans), tuple(relations), meta)


def _check_tokens(span: dict, tokens: list[dict], where: str) -> None:
    if not tokens or "token_start" not in span:
        return
    first, last = span["token_start"], span["token_end"]
    if not (0 <= first <= last < len(tokens)) or tokens[first]["start"] != span["start"] or tokens[last]["end"] != span["end"]:
        raise InputError(
            f"{where} [{span['start']},{span['end']}) {span.get('label')} does not align with its tokens "
            f"{first}..{last}; re-tokenize the task with the pipeline's segmenter"
        )


def read_prodigy(path: Path) -> Iterator[tuple[int, AnnotatedDoc]]:
    for number, record in iter_jsonl(path):
        if record.get("answer", "accept") == "accept":
            yield number, from_prodigy(record, f"{path}:{number}")


def write_prodigy(docs: Iterable[AnnotatedDoc], path: Path, nlp: Language) -> int:
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    count = 0
    with open(tmp, "w", encoding="utf-8") as out:
        for doc in docs:
            out.write(json.dumps(to_prodigy(doc, nlp), ensure_ascii=False) + "\n")
            count += 1
    tmp.replace(path)
    return count
