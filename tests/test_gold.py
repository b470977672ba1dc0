"""The gold corpus, its splits and its data card stay consistent with each other."""

import json

from typer.testing import CliRunner

from fazhi.cli import app
from fazhi.training.datacard import render
from fazhi.training.gold import read_gold, resolve_folder
from fazhi.training.sources import load_sources

from conftest import ROOT

GOLD = ROOT / "annotations" / "gold" / "gold.jsonl"
MANIFEST = json.loads((ROOT / "annotations" / "splits.json").read_text(encoding="utf-8"))


def test_gold_every_annotation_file_validates():
    result = CliRunner().invoke(app, ["annotate", "validate", str(GOLD)])
    assert result.exit_code == 0, result.output[-3000:]
    result = CliRunner().invoke(app, ["annotate", "check", *map(str, sorted((ROOT / "annotations" / "authoring").glob("*.json")))])
    assert result.exit_code == 0, result.output[-3000:]


def test_gold_texts_are_the_normalized_sources():
    sources = load_sources()
    gold = read_gold(GOLD)
    assert len(gold) == len(sources) == 225
    for doc in gold:
        assert doc.text == sources[doc.doc_id].normalized.text, doc.doc_id


def test_gold_file_is_what_the_authoring_files_build():
    built = resolve_folder(ROOT / "annotations" / "authoring", load_sources())
    on_disk = {doc.doc_id: doc for doc in read_gold(GOLD)}
    for doc in built:
        assert set(doc.spans) == set(on_disk[doc.doc_id].spans), doc.doc_id
        assert set(doc.relations) == set(on_disk[doc.doc_id].relations), doc.doc_id


def test_gold_splits_name_existing_documents_once():
    known = {doc.doc_id for doc in read_gold(GOLD)}
    named = MANIFEST["train"] + MANIFEST["dev"] + MANIFEST["test"]
    assert len(named) == len(set(named)), "a document appears in two splits"
    assert set(named) == known
    assert not {d for d in known if not d.startswith("r")} & set(MANIFEST["test"]), "seeds belong in train or dev"


def test_gold_near_duplicate_groups_stay_on_one_side():
    side = {doc_id: name for name in ("train", "dev", "test") for doc_id in MANIFEST[name]}
    by_group = {}
    for doc_id, group in MANIFEST["groups"].items():
        by_group.setdefault(group, set()).add(side[doc_id])
    assert all(len(sides) == 1 for sides in by_group.values())


def test_gold_folds_partition_train_and_dev():
    folded = [doc_id for fold in MANIFEST["folds"] for doc_id in fold]
    assert len(folded) == len(set(folded))
    assert set(folded) == set(MANIFEST["train"]) | set(MANIFEST["dev"])


def test_gold_data_card_matches_the_files():
    card = (ROOT / "annotations" / "README.md").read_text(encoding="utf-8")
    assert card == render(read_gold(GOLD), MANIFEST), "run `python -m fazhi.training.datacard`"
