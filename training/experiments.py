"""Experiments behind results/RESULTS.md: baselines, ablations and cross-validation.

    python -m fazhi.training.experiments evaluate MODEL --split test --name ours
    python -m fazhi.training.experiments gold-relations MODEL --split test
    python -m fazhi.training.experiments value-rules MODEL --split test
    python -m fazhi.training.experiments alignment
    python -m fazhi.training.experiments cv configs/fazhi.cfg --steps 1500 --name ours
    python -m fazhi.training.experiments default-config --steps 1500
    python -m fazhi.training.experiments pretrain --epochs 8 --split dev
    python -m fazhi.training.experiments seeds configs/fazhi.cfg --name ours --seeds 0 --seeds 1 --seeds 2

Every run writes results/<name>.json (per-label P/R/F1 with bootstrap intervals over documents)
and prints the Markdown table. Model choices are made on dev or on cross-validation folds; the
test split is evaluated once per finished model.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import spacy
import typer

from fazhi.annotation import AnnotatedDoc
from fazhi.evaluate import doc_to_annotated, predict_with_model
from fazhi.scoring import DocScore, markdown_table, score_doc, summarize

from .convert import to_doc
from .gold import GOLD_FILE, read_gold
from .sources import PROJECT_ROOT

app = typer.Typer(no_args_is_help=True, help=__doc__.split("\n")[0])
RESULTS = PROJECT_ROOT / "results"
MANIFEST = PROJECT_ROOT / "annotations" / "splits.json"


def _split(name: str) -> list[AnnotatedDoc]:
    """Gold documents of a split of the manifest; "train+dev" is the cross-validation pool."""
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    ids = {doc_id for part in name.split("+") for doc_id in manifest[part]}
    return [doc for doc in read_gold(GOLD_FILE) if doc.doc_id in ids]


def _report(name: str, scores: list[DocScore], extra: dict | None = None) -> dict:
    summary = summarize(scores)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps({"summary": summary, **(extra or {})}, indent=1, ensure_ascii=False), encoding="utf-8")
    typer.echo(markdown_table(summary, name))
    return summary


def _score(gold: list[AnnotatedDoc], predicted: list[AnnotatedDoc]) -> list[DocScore]:
    return [score_doc(g, p) for g, p in zip(gold, predicted)]


@app.command()
def evaluate(model: Path, split: str = "test", name: str = "model",
             set_: list[str] = typer.Option([], "--set", help="a config value to change when loading, "
                                            "e.g. components.entity_tagger.decoding=argmax")) -> None:
    """End-to-end scores of a pipeline on a split (whole reports, raw normalized text)."""
    config = {}
    for item in set_:
        key, sep, value = item.partition("=")
        if not sep:
            raise typer.BadParameter(f"--set {item!r}: expected KEY=VALUE")
        try:  # numbers and booleans as in `spacy train` overrides; anything else is a string
            config[key] = json.loads(value)
        except json.JSONDecodeError:
            config[key] = value
    gold = _split(split)
    nlp = spacy.load(model, config=config)
    _report(f"{name}_{split}", _score(gold, predict_with_model(nlp, gold)), {"model": str(model), "split": split, "config": config})


@app.command("gold-relations")
def gold_relations(model: Path, split: str = "test", name: str = "relations_on_gold_spans") -> None:
    """The relation extractor alone, on gold entities and measures (upper bound of the relation step)."""
    nlp = spacy.load(model)
    gold = _split(split)
    predicted = []
    for g in gold:
        doc = to_doc(nlp, AnnotatedDoc(g.doc_id, g.text, g.spans, ()))
        for pipe_name, pipe in nlp.pipeline:
            if pipe_name in ("fazhi_softwords", "tok2vec", "fazhi_relation_extractor"):
                doc = pipe(doc)
        predicted.append(doc_to_annotated(g.doc_id, doc))
    _report(f"{name}_{split}", _score(gold, predicted), {"model": str(model), "split": split})


@app.command("value-rules")
def value_rules(model: Path, split: str = "test", name: str = "value_rules") -> None:
    """The trained pipeline with the VALUE pattern component added after `ner`."""
    nlp = spacy.load(model)
    nlp.add_pipe("fazhi_value_ruler", after="ner")
    gold = _split(split)
    _report(f"{name}_{split}", _score(gold, predict_with_model(nlp, gold)), {"model": str(model), "split": split})


@app.command()
def rules(split: str = "test") -> None:
    """The rule-only baseline."""
    nlp = spacy.blank("zh")
    nlp.add_pipe("fazhi_rules")
    gold = _split(split)
    _report(f"rules_{split}", _score(gold, predict_with_model(nlp, gold)), {"split": split})


@app.command()
def alignment(pkuseg: Path = typer.Option(None, help="A pkuseg model from fazhi.training.segmenter (trained on train).")) -> None:
    """How many dev+test gold spans each segmenter can represent exactly (a span must start and
    end on token boundaries): characters, jieba, and a domain pkuseg model if given."""
    docs = _split("dev") + _split("test")
    segmenters = {"char": spacy.blank("zh"), "jieba": spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})}
    if pkuseg is not None:
        nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "pkuseg"}}})
        nlp.tokenizer.initialize(pkuseg_model=str(pkuseg))
        segmenters["pkuseg_domain"] = nlp
    results = {}
    for segmenter, nlp in segmenters.items():
        total = aligned = 0
        by_label: dict[str, list[int]] = {}
        for doc in docs:
            tokens = nlp.make_doc(doc.text)
            for span in doc.spans:
                ok = tokens.char_span(span.start, span.end) is not None
                total += 1
                aligned += ok
                row = by_label.setdefault(span.label, [0, 0])
                row[0] += ok
                row[1] += 1
        results[segmenter] = {"documents": "dev+test", "aligned": aligned, "total": total, "share": aligned / total,
                              "per_label": {k: v[0] / v[1] for k, v in by_label.items()}}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "segmenter_alignment.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    typer.echo(json.dumps(results, indent=1))


def _train_command(config: Path, corpus: Path, output: Path, steps: int, overrides: list[str]) -> list[str]:
    return [sys.executable, "-m", "spacy", "train", str(config), "--output", str(output),
            "--paths.train", str(corpus / "train.spacy"), "--paths.dev", str(corpus / "dev.spacy"),
            "--training.max_steps", str(steps), *overrides]


def _train(config: Path, corpus: Path, output: Path, steps: int, overrides: list[str]) -> Path:
    subprocess.run(_train_command(config, corpus, output, steps, overrides), check=True, stdout=subprocess.DEVNULL)
    return output / "model-best"


@app.command()
def cv(config: Path, steps: int = 1500, name: str = "ours", work: Path = Path("/tmp/fazhi-cv"),
       folds: int = 5, jobs: int = 2, override: list[str] = typer.Option([], help="--override '--components.x.y value'")) -> None:
    """Five-fold document-level cross-validation over train+dev: train on 4 folds, score the fifth
    (`jobs` trainings at a time, one thread each; a finished fold is not retrained)."""
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    gold = {doc.doc_id: doc for doc in read_gold(GOLD_FILE)}
    scores: list[DocScore] = []
    overrides = [part for item in override for part in item.split()]
    outputs = [work / f"{name}_fold{k}" for k in range(folds)]
    for k in range(folds):
        if not (outputs[k] / SEED_DONE).exists():  # a finished fold needs no DocBins
            subprocess.run([sys.executable, "-m", "fazhi.training.convert", str(GOLD_FILE), str(MANIFEST), str(work / f"fold{k}"),
                            "--fold", str(k)], check=True, stdout=subprocess.DEVNULL)
    _train_parallel({outputs[k]: _train_command(config, work / f"fold{k}", outputs[k], steps, overrides) for k in range(folds)}, jobs)
    for k in range(folds):
        held = [gold[d] for d in manifest["folds"][k]]
        scores.extend(_score(held, predict_with_model(spacy.load(outputs[k] / "model-best"), held)))
    _report(f"{name}_cv", scores, {"config": str(config), "steps": steps, "folds": folds, "overrides": overrides})


SEED_DONE = "TRAINING_FINISHED"


def _train_parallel(commands: dict[Path, list[str]], jobs: int) -> None:
    """Run the `spacy train` commands (output folder -> command) `jobs` at a time with one BLAS
    thread each. spacy train writes model-best at every evaluation, so a marker file written on
    success says which outputs are finished; those are skipped, interrupted ones are retrained.
    Each training's console output goes to <output>/train.log."""
    pending = [output for output in commands if not (output / SEED_DONE).exists()]
    environment = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}
    for first in range(0, len(pending), jobs):
        batch = pending[first:first + jobs]
        logs = []
        for output in batch:
            output.mkdir(parents=True, exist_ok=True)
            logs.append((output / "train.log").open("w", encoding="utf-8"))
        running = [subprocess.Popen(commands[output], stdout=log, stderr=subprocess.STDOUT, env=environment)
                   for output, log in zip(batch, logs)]
        codes = [process.wait() for process in running]
        for log in logs:
            log.close()
        for output, code in zip(batch, codes):
            if code == 0:
                (output / SEED_DONE).touch()
        if any(codes):
            raise typer.Exit(1)


@app.command()
def seeds(config: Path, name: str = typer.Option(..., help="results/<name>_seed<k>_<split>.json"), seed: list[int] = typer.Option([0, 1, 2], "--seeds"), steps: int = 3000,
          split: str = "dev", jobs: int = 2, work: Path = Path("/tmp/fazhi-seeds"),
          override: list[str] = typer.Option([], help="--override '--components.x.y value'")) -> None:
    """One config trained with several seeds (`jobs` at a time, one thread each; a seed that
    finished is not retrained, one that was interrupted is), each scored on `split`, and the spread per label: run-to-run
    variance on 35 documents is as large as most differences between configurations, so
    choices compare the mean over seeds."""
    corpus = PROJECT_ROOT / "training" / "corpus"
    overrides = [part for item in override for part in item.split()]
    outputs = {k: work / f"{name}_seed{k}" for k in seed}
    _train_parallel({outputs[k]: _train_command(config, corpus, outputs[k], steps, [*overrides, "--system.seed", str(k)])
                     for k in seed}, jobs)
    gold = _split(split)
    runs = {k: _report(f"{name}_seed{k}_{split}", _score(gold, predict_with_model(spacy.load(outputs[k] / "model-best"), gold)),
                       {"config": str(config), "seed": k, "steps": steps, "split": split, "overrides": overrides})
            for k in seed}
    spread = {label: {"mean": sum(r[label]["f"] for r in runs.values()) / len(runs),
                      "min": min(r[label]["f"] for r in runs.values()), "max": max(r[label]["f"] for r in runs.values())}
              for label in next(iter(runs.values()))}
    (RESULTS / f"{name}_seeds_{split}.json").write_text(
        json.dumps({"seeds": seed, "config": str(config), "steps": steps, "split": split, "overrides": overrides,
                    "f1": spread}, indent=1), encoding="utf-8")
    typer.echo("\n".join(f"{label}: {v['mean']:.3f} ({v['min']:.3f}–{v['max']:.3f})" for label, v in spread.items()))


@app.command()
def pretrain(config: Path = Path("configs/fazhi.cfg"), epochs: int = 8, steps: int = 3000, split: str = "dev",
             work: Path = Path("/tmp/fazhi-pretrain")) -> None:
    """`spacy pretrain` (masked characters: 15% of the tokens replaced, their character predicted)
    on the raw paragraphs of the train and dev reports (never test), then the same training with
    the pretrained tok2vec, scored on `split`."""
    work.mkdir(parents=True, exist_ok=True)
    raw = work / "raw.jsonl"
    with open(raw, "w", encoding="utf-8") as out:
        for doc in _split("train") + _split("dev"):
            for line in doc.text.split("\n"):
                if line.strip():
                    out.write(json.dumps({"text": line}, ensure_ascii=False) + "\n")
    filled = work / "pretrain.cfg"
    subprocess.run([sys.executable, "-m", "spacy", "init", "fill-config", str(config), str(filled), "--pretraining"],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, "-m", "spacy", "pretrain", str(filled), str(work / "weights"), "--paths.raw_text", str(raw),
                    "--pretraining.max_epochs", str(epochs), "--corpora.pretrain.max_length", "0",
                    "--pretraining.objective.n_characters", "1"], check=True, stdout=subprocess.DEVNULL)
    weights = work / "weights" / "model-last.bin"
    corpus = PROJECT_ROOT / "training" / "corpus"
    model = _train(filled, corpus, work / "output", steps, ["--paths.init_tok2vec", str(weights)])
    gold = _split(split)
    _report(f"pretrain_{split}", _score(gold, predict_with_model(spacy.load(model), gold)),
            {"config": str(config), "epochs": epochs, "steps": steps, "split": split})


@app.command("default-config")
def default_config(steps: int = 1500, work: Path = Path("/tmp/fazhi-default"), split: str = "test") -> None:
    """spaCy's own `spacy init config --lang zh --pipeline ner,spancat`, trained on the same data
    (spancat pointed at our "measure" spans key), scored end to end."""
    work.mkdir(parents=True, exist_ok=True)
    config = work / "default.cfg"
    subprocess.run([sys.executable, "-m", "spacy", "init", "config", str(config), "--lang", "zh", "--pipeline", "ner,spancat", "--force"],
                   check=True, stdout=subprocess.DEVNULL)
    corpus = PROJECT_ROOT / "training" / "corpus"
    model = _train(config, corpus, work / "output", steps, ["--components.spancat.spans_key", "measure",
                                                              "--training.score_weights.spans_sc_f", "0",
                                                              "--training.score_weights.spans_measure_f", "0.5"])
    gold = _split(split)
    _report(f"default_ner_spancat_{split}", _score(gold, predict_with_model(spacy.load(model), gold)), {"steps": steps, "split": split})


if __name__ == "__main__":
    app()
