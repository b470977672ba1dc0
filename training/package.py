"""Copy a trained pipeline into models/ with a meta file: training data hash, config, scores."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import spacy
import typer


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(2**20), b""):
            digest.update(block)
    return digest.hexdigest()


def main(
    trained: Path = typer.Argument(..., help="model-best folder written by spacy train."),
    out: Path = typer.Argument(..., help="Where the shipped pipeline goes (models/fazhi_zh_pipeline)."),
    gold: Path = typer.Option(..., help="The gold file it was trained from."),
    splits: Path = typer.Option(..., help="The split manifest."),
    scores: Path = typer.Option(..., help="Evaluation JSON on the held-out test split (fazhi evaluate)."),
) -> None:
    nlp = spacy.load(trained)
    nlp.meta["name"] = "fazhi_zh_pipeline"
    nlp.meta["description"] = (
        "fazhi-ie: METRIC/VALUE/INSTITUTION (ner), MEASURE (spancat over clause candidates), "
        "HAS_VALUE/MEASURED_BY/INVOLVES (fazhi_relation_extractor). Trained on annotations/gold."
    )
    nlp.meta["fazhi"] = {
        "training_data": {"gold": str(gold), "sha256": file_hash(gold), "splits": str(splits), "splits_sha256": file_hash(splits)},
        "test_scores": json.loads(scores.read_text(encoding="utf-8")),
        "config": "config.cfg in this folder (the training config, resolved)",
    }
    if out.exists():
        shutil.rmtree(out)
    nlp.to_disk(out)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    typer.echo(f"packaged {trained} -> {out} ({size / 2**20:.1f} MB)")


if __name__ == "__main__":
    typer.run(main)
