"""The 225 source documents of the gold corpus: the five seeds and the shared corpus."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from fazhi.normalize import NormalizedText, normalize

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = PROJECT_ROOT / "seeds"
CORPUS_FILE = PROJECT_ROOT.parent / "shared" / "corpus" / "reports.jsonl"


@dataclass(frozen=True)
class SourceDoc:
    doc_id: str
    source: str  # where the text comes from, relative to the project or shared/
    normalized: NormalizedText
    meta: dict


def load_sources(seeds_dir: Path = SEEDS_DIR, corpus_file: Path = CORPUS_FILE) -> dict[str, SourceDoc]:
    docs: dict[str, SourceDoc] = {}
    for path in sorted(Path(seeds_dir).glob("*.txt")):
        text = path.read_text(encoding="utf-8-sig")
        docs[path.stem] = SourceDoc(path.stem, f"seeds/{path.name}", normalize(text), {"kind": "seed"})
    with open(corpus_file, encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            record = json.loads(line)
            meta = {k: v for k, v in record.items() if k != "text"}
            meta["kind"] = "corpus"
            docs[record["id"]] = SourceDoc(
                record["id"], f"shared/corpus/reports.jsonl:{number}", normalize(record["text"]), meta
            )
    return docs
