"""Flat tables of an extract JSONL (triples, measures, metrics, institutions) as pandas
DataFrames, and their CSV / Parquet files."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

TABLES = ("triples", "measures", "metrics", "institutions")
_LABEL_OF = {"measures": "MEASURE", "metrics": "METRIC", "institutions": "INSTITUTION"}


def read_records(path: Path):
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def records_to_tables(records) -> dict[str, pd.DataFrame]:
    rows: dict[str, list[dict]] = {name: [] for name in TABLES}
    for record in records:
        if record["status"] != "ok":
            continue
        by_id = {e["id"]: e for e in record["entities"]}
        for entity in record["entities"]:
            for table, label in _LABEL_OF.items():
                if entity["label"] == label:
                    rows[table].append(_entity_row(record, entity))
        for triple in record["triples"]:
            measure = by_id.get(triple["measure"]) if triple["measure"] is not None else None
            metric, value = by_id[triple["metric"]], by_id[triple["value"]]
            normalized = value.get("value") or {}
            rows["triples"].append({
                "doc_id": record["doc_id"],
                "measure": measure["text"] if measure else None,
                "metric": metric["text"],
                "value": value["text"],
                "number": normalized.get("number"),
                "unit": normalized.get("unit"),
                "approximate": normalized.get("approximate"),
                "bound": normalized.get("bound"),
                "kind": normalized.get("kind"),
                "institutions": "；".join(by_id[i]["text"] for i in triple["institutions"]),
                "section_path": " > ".join(metric["section_path"]),
                "sentence": triple["sentence"],
                "metric_start": metric["start"], "metric_end": metric["end"],
                "source_start": metric["source_start"], "source_end": metric["source_end"],
            })
    return {name: pd.DataFrame(table_rows) for name, table_rows in rows.items()}


def _entity_row(record: dict, entity: dict) -> dict:
    return {
        "doc_id": record["doc_id"], "text": entity["text"], "start": entity["start"], "end": entity["end"],
        "source_start": entity["source_start"], "source_end": entity["source_end"], "score": entity["score"],
        "section_path": " > ".join(entity["section_path"]),
    }


def read_tables(path: Path) -> dict[str, pd.DataFrame]:
    """The four tables of an extract JSONL file."""
    return records_to_tables(read_records(Path(path)))


def write_tables(jsonl: Path, fmt: str) -> list[Path]:
    jsonl = Path(jsonl)
    written = []
    for name, frame in read_tables(jsonl).items():
        target = jsonl.with_name(f"{jsonl.stem}.{name}.{fmt}")
        if fmt == "csv":
            frame.to_csv(target, index=False)
        elif fmt == "parquet":
            frame.to_parquet(target, index=False)
        else:
            raise ValueError(f"unknown table format {fmt!r}; use csv or parquet")
        written.append(target)
    return written
