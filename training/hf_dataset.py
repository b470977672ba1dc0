"""The gold corpus as a Hugging Face `datasets.DatasetDict` (train/dev/test), saved to disk
and as Parquet, and back."""

from __future__ import annotations

import json
from pathlib import Path

from fazhi.annotation import AnnotatedDoc, RelationAnnotation, SpanAnnotation


def to_row(doc: AnnotatedDoc) -> dict:
    return {
        "doc_id": doc.doc_id,
        "text": doc.text,
        "spans": [{"id": s.id, "start": s.start, "end": s.end, "label": s.label} for s in sorted(doc.spans)],
        "relations": [{"head": r.head, "tail": r.tail, "label": r.label} for r in doc.relations],
        "meta": json.dumps(doc.meta, ensure_ascii=False, sort_keys=True),
    }


def from_row(row: dict) -> AnnotatedDoc:
    return AnnotatedDoc(
        row["doc_id"], row["text"],
        tuple(SpanAnnotation(s["start"], s["end"], s["label"], s["id"]) for s in row["spans"]),
        tuple(RelationAnnotation(r["head"], r["tail"], r["label"], i) for i, r in enumerate(row["relations"])),
        json.loads(row["meta"]),
    )


def to_dataset_dict(docs: list[AnnotatedDoc], manifest: dict):
    from datasets import Dataset, DatasetDict, Features, Value

    features = Features({
        "doc_id": Value("string"),
        "text": Value("string"),
        "spans": [{"id": Value("int32"), "start": Value("int32"), "end": Value("int32"), "label": Value("string")}],
        "relations": [{"head": Value("int32"), "tail": Value("int32"), "label": Value("string")}],
        "meta": Value("string"),
    })
    by_id = {doc.doc_id: doc for doc in docs}
    return DatasetDict({
        name: Dataset.from_list([to_row(by_id[d]) for d in manifest[name] if d in by_id], features=features)
        for name in ("train", "dev", "test")
    })


def save(dataset_dict, folder: Path) -> None:
    folder = Path(folder)
    dataset_dict.save_to_disk(str(folder / "dataset"))
    for name, split in dataset_dict.items():
        split.to_parquet(str(folder / f"{name}.parquet"))


def load(folder: Path):
    from datasets import load_from_disk

    return load_from_disk(str(Path(folder) / "dataset"))
