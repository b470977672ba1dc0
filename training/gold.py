"""Build the gold corpus: authoring files -> one Doccano JSONL file with provenance."""

from __future__ import annotations

import logging
from pathlib import Path

from fazhi.annotation import AnnotatedDoc, read_doccano, write_doccano
from fazhi.errors import FazhiError

from .authoring import load_authored, resolve
from .sources import PROJECT_ROOT, SourceDoc, load_sources

logger = logging.getLogger(__name__)
AUTHORING_DIR = PROJECT_ROOT / "annotations" / "authoring"
GOLD_FILE = PROJECT_ROOT / "annotations" / "gold" / "gold.jsonl"
META_FIELDS = ("title", "region", "year", "issuer_type", "url", "kind")


def resolve_folder(folder: Path, sources: dict[str, SourceDoc]) -> list[AnnotatedDoc]:
    """Every authoring file of `folder` as an AnnotatedDoc; any error stops the build."""
    docs, errors = [], []
    for path in sorted(Path(folder).glob("*.json")):
        authored = load_authored(path)
        source = sources.get(str(authored.get("doc_id")))
        if source is None:
            errors.append(f"{path}: doc_id {authored.get('doc_id')!r} is not a known document")
            continue
        doc, problems = resolve(authored, source.normalized.text, str(path))
        errors.extend(str(p) for p in problems if p.severity == "error")
        meta = {k: source.meta[k] for k in META_FIELDS if k in source.meta}
        docs.append(doc.with_meta(source=source.source, **meta))
    if errors:
        raise FazhiError(f"{len(errors)} annotation errors:\n" + "\n".join(errors[:50]))
    return docs


def build_gold(folder: Path = AUTHORING_DIR, out: Path = GOLD_FILE) -> list[AnnotatedDoc]:
    sources = load_sources()
    docs = resolve_folder(folder, sources)
    order = list(sources)
    docs.sort(key=lambda d: order.index(d.doc_id))
    write_doccano(docs, out)
    return docs


def read_gold(path: Path = GOLD_FILE) -> list[AnnotatedDoc]:
    return [doc for _, doc in read_doccano(path)]


if __name__ == "__main__":
    built = build_gold()
    print(f"wrote {len(built)} documents to {GOLD_FILE}")
