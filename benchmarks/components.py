"""Seconds per pipeline component on the same texts, to see where inference time goes.

    python benchmarks/components.py [--model models/fazhi_zh_pipeline] [--docs 60] [--batch-size 16]
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path

import spacy
from spacy.util import minibatch

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "reports.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default=str(ROOT / "models" / "fazhi_zh_pipeline"))
    parser.add_argument("--docs", type=int, default=60)
    parser.add_argument("--batch-size", type=int, default=16)
    args = parser.parse_args()

    from fazhi.ingest import iter_reports

    texts = [report.text for report, _ in zip(iter_reports([CORPUS]), range(args.docs))]
    nlp = spacy.load(args.model)
    seconds: dict[str, float] = defaultdict(float)
    for batch in minibatch(texts, args.batch_size):
        start = time.perf_counter()
        docs = [nlp.make_doc(text) for text in batch]
        seconds["tokenizer"] += time.perf_counter() - start
        for name, proc in nlp.pipeline:
            start = time.perf_counter()
            docs = list(proc.pipe(docs, batch_size=args.batch_size)) if hasattr(proc, "pipe") else [proc(doc) for doc in docs]
            seconds[name] += time.perf_counter() - start
    chars = sum(map(len, texts))
    total = sum(seconds.values())
    print(json.dumps({"chars": chars, "chars_per_s": round(chars / total),
                      "seconds": {name: round(s, 2) for name, s in seconds.items()},
                      "share": {name: round(s / total, 3) for name, s in seconds.items()}}, indent=1))


if __name__ == "__main__":
    main()
