"""Write annotations/splits.json: train/dev/test and 5 folds, near-duplicates kept together."""

from __future__ import annotations

from fazhi.metadata import extract_metadata

from .sources import PROJECT_ROOT, load_sources
from .splits import make_splits, region_key, write_manifest

MANIFEST = PROJECT_ROOT / "annotations" / "splits.json"


def main() -> None:
    sources = load_sources()
    ids = list(sources)
    texts = [sources[i].normalized.text for i in ids]
    regions = [
        region_key(sources[i].meta.get("region") or extract_metadata(texts[n], sources[i].meta)["region"])
        for n, i in enumerate(ids)
    ]
    seeds = {i for i in ids if sources[i].meta["kind"] == "seed"}
    manifest = make_splits(ids, texts, regions, seeds)
    write_manifest(manifest, MANIFEST)
    print({name: len(manifest[name]) for name in ("train", "dev", "test")}, "folds", [len(f) for f in manifest["folds"]])


if __name__ == "__main__":
    main()
