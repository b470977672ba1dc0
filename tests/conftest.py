import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
CORPUS = ROOT.parent / "shared" / "corpus" / "reports.jsonl"


def corpus_records():
    with open(CORPUS, encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


@pytest.fixture(scope="session")
def seed_texts():
    return {path.stem: path.read_text(encoding="utf-8") for path in SEEDS}


@pytest.fixture(scope="session")
def corpus():
    return corpus_records()
