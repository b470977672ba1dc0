"""Build the rule-only pipeline (the baseline): blank zh + fazhi_rules, saved to a folder."""

from __future__ import annotations

import sys
from pathlib import Path

import spacy


def build(out: Path) -> None:
    nlp = spacy.blank("zh")
    nlp.add_pipe("fazhi_rules")
    nlp.meta["name"] = "fazhi_rules_baseline"
    nlp.meta["description"] = "Rule-only baseline of fazhi-ie: patterns for VALUE, METRIC, INSTITUTION, MEASURE and proximity relations."
    nlp.to_disk(out)


if __name__ == "__main__":
    build(Path(sys.argv[1]))
