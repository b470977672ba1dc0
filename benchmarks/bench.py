"""Throughput of the full fazhi pipeline against spaCy's default `ner` pipeline, in one run.

    python benchmarks/bench.py [--model MODEL [MODEL ...]] [--repeat 2] [--rounds 3] [--batch-size 16] [--ratio-only]

Both pipelines see the same texts (the seeds and the shared corpus, normalized, repeated
--repeat times) with the same batch size, one after the other in this process. The full
pipeline is timed end to end as `fazhi extract` runs it (ingestion and normalization,
nlp.pipe, structure analysis and record building); the reference is `nlp.pipe` of a blank
zh pipeline from `spacy init config --lang zh --pipeline ner`, initialized with our labels.
Each timing of a pipeline is paired with a timing of the reference just before it, over
--rounds rounds; the ratio reported is the median of the paired ratios (the machine's speed
drifts within minutes). Also measured, for the first model: the full pipeline with 2 processes, and
peak memory of the full pipeline for N and 2N documents (each in a fresh subprocess), to
show it streams.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "reports.jsonl"


def corpus_file(repeat: int, folder: Path) -> Path:
    """A JSONL corpus of the seeds and the shared corpus, repeated."""
    lines = [json.dumps({"id": p.stem, "text": p.read_text(encoding="utf-8")}, ensure_ascii=False) for p in sorted((ROOT / "seeds").glob("*.txt"))]
    lines += CORPUS.read_text(encoding="utf-8").splitlines()
    path = folder / f"bench_{repeat}.jsonl"
    with open(path, "w", encoding="utf-8") as out:
        for copy in range(repeat):
            for line in lines:
                record = json.loads(line)
                record["id"] = f"{record['id']}-{copy}"
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def default_ner(labels: list[str]):
    import spacy
    from spacy.training import Example

    config = spacy.util.load_config_from_str(
        subprocess.run([sys.executable, "-m", "spacy", "init", "config", "-", "--lang", "zh", "--pipeline", "ner"],
                       capture_output=True, text=True, check=True).stdout
    )
    nlp = spacy.util.load_model_from_config(config, auto_fill=True)
    doc = nlp.make_doc("全年受理案件385件")
    examples = [Example.from_dict(doc, {"entities": [(4, 8, label) for label in labels[:1]]})]
    nlp.initialize(lambda: examples)
    for label in labels:
        nlp.get_pipe("ner").add_label(label)
    return nlp


def time_full(path: Path, model: str, n_process: int, batch_size: int) -> tuple[float, int]:
    from fazhi.extract import extract, load_pipeline

    nlp = load_pipeline(model)
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        summary = extract([path], Path(folder) / "out.jsonl", nlp, n_process=n_process, batch_size=batch_size)
        return time.perf_counter() - start, summary.chars


def time_reference(nlp, texts: list[str], batch_size: int) -> float:
    start = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=batch_size):
        pass
    return time.perf_counter() - start


def peak_memory(path: Path, model: str, batch_size: int) -> float:
    """Peak RSS (MB) of a fresh process that extracts `path`."""
    code = (
        "import sys; from pathlib import Path; import tempfile\n"
        "from fazhi.extract import extract, load_pipeline\n"
        f"nlp = load_pipeline({model!r})\n"
        "with tempfile.TemporaryDirectory() as d:\n"
        f"    extract([Path({str(path)!r})], Path(d) / 'o.jsonl', nlp, batch_size={batch_size})\n"
        "print(open('/proc/self/status').read().split('VmHWM:')[1].split()[0])\n"
    )
    # VmHWM (kB), not getrusage's ru_maxrss: Linux keeps the parent's ru_maxrss across fork + exec,
    # so a child started from this (large) process would report at least the parent's size.
    return float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", nargs="+", default=[str(ROOT / "models" / "fazhi_zh_pipeline")],
                        help="one or more pipelines; each is timed against the same reference in this run")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3, help="timings of the reference and each pipeline, paired")
    parser.add_argument("--ratio-only", action="store_true", help="skip the 2-process and memory measurements")
    args = parser.parse_args()

    from fazhi.ingest import iter_reports

    with tempfile.TemporaryDirectory() as folder:
        path = corpus_file(args.repeat, Path(folder))
        texts = [r.text for r in iter_reports([path])]
        chars = sum(map(len, texts))
        reference_nlp = default_ner(["METRIC", "VALUE", "INSTITUTION"])
        # Each timing of a pipeline is paired with a timing of the reference just before it, and
        # the ratio is the median over rounds: this virtual machine's speed drifts by 10-30%
        # within minutes, so one reference timing is not comparable to every model's.
        reference, full_1 = [], {model: [] for model in args.model}
        for _ in range(args.rounds):
            for model in args.model:
                reference.append(time_reference(reference_nlp, texts, args.batch_size))
                full_1[model].append(time_full(path, model, 1, args.batch_size)[0])
        ratios = {model: [r / s for r, s in zip(reference[k::len(args.model)], seconds)]
                  for k, (model, seconds) in enumerate(full_1.items())}
        results = {
            "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
            "documents": len(texts), "characters": chars, "batch_size": args.batch_size, "rounds": args.rounds,
            "default_ner_chars_per_s": round(chars / statistics.median(reference)),
            "models": {model: {"full_pipeline_chars_per_s_1_process": round(chars / statistics.median(seconds)),
                               "ratio_full_over_default_ner": round(statistics.median(ratios[model]), 3),
                               "ratio_per_round": [round(r, 3) for r in ratios[model]]}
                       for model, seconds in full_1.items()},
        }
        if not args.ratio_only:
            model = args.model[0]
            one, _ = time_full(path, model, 1, args.batch_size)  # paired with the 2-process run
            full_2, _ = time_full(path, model, 2, args.batch_size)
            results["models"][model].update({
                "full_pipeline_chars_per_s_2_processes": round(chars / full_2),
                "speedup_1_to_2_processes": round(one / full_2, 3),
                f"peak_rss_mb_{len(texts)}_docs": round(peak_memory(path, model, args.batch_size), 1),
                f"peak_rss_mb_{2 * len(texts)}_docs": round(peak_memory(corpus_file(2 * args.repeat, Path(folder)), model, args.batch_size), 1),
            })
    print(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
