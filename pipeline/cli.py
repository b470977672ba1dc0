"""The `fazhi` command: thin wrappers over fazhi.* and fazhi.training.*; it owns the terminal."""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path
from typing import List, Optional

import typer

from .errors import FazhiError

app = typer.Typer(
    help="Extract measures, metrics, values and institutions from Chinese rule-of-law government reports.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
doccano_app = typer.Typer(help="Doccano server: set up a project, push texts with pre-annotations, pull annotations.", no_args_is_help=True)
annotate_app = typer.Typer(help="Annotation files: sheets for annotators, checks, Doccano JSONL.", no_args_is_help=True)
app.add_typer(annotate_app, name="annotate")
app.add_typer(doccano_app, name="doccano")

_DOCCANO_URL = typer.Option(None, "--url", help="Doccano server (or $FAZHI_DOCCANO_URL).")
_DOCCANO_CONFIG = typer.Option(None, "--config", help="JSON file with url, username, password (the environment wins).")


def _doccano_client(url, config):
    from .doccano import Credentials, DoccanoClient

    return DoccanoClient(Credentials.load(config, url))


@doccano_app.command("setup")
def doccano_setup(
    name: str = typer.Option("fazhi-ie", help="Project name."),
    guidelines: Path = typer.Option(Path("annotations/GUIDELINES.md"), help="Guidelines text shown to annotators."),
    url: Optional[str] = _DOCCANO_URL,
    config: Optional[Path] = _DOCCANO_CONFIG,
) -> None:
    """Create a sequence-labeling project with relations, the label set, relation types and guidelines."""
    from .doccano import setup_project

    project = setup_project(_doccano_client(url, config), name, guidelines.read_text(encoding="utf-8"))
    typer.echo(f"created Doccano project {project}")


@doccano_app.command("push")
def doccano_push(
    project: int = typer.Argument(..., help="Doccano project id."),
    files: List[Path] = typer.Argument(..., help="Doccano JSONL with texts (and annotations), or report files with --predict."),
    predict: bool = typer.Option(False, "--predict", help="Run the model on report files and push its predictions as pre-annotations."),
    model: Optional[Path] = typer.Option(None, "--model", "-m", help="Pipeline for --predict."),
    url: Optional[str] = _DOCCANO_URL,
    config: Optional[Path] = _DOCCANO_CONFIG,
) -> None:
    """Upload report texts, optionally with spans and relations as pre-annotations."""
    from .annotation import read_doccano
    from .doccano import push

    if predict:
        from .evaluate import doc_to_annotated
        from .extract import load_pipeline
        from .ingest import Failure, iter_reports

        nlp = load_pipeline(model)
        reports = [r for r in iter_reports(files) if not isinstance(r, Failure)]
        docs = [doc_to_annotated(r.doc_id, doc).with_meta(source=r.source) for r, doc in zip(reports, nlp.pipe(r.text for r in reports))]
    else:
        docs = [doc for path in files for _, doc in read_doccano(path)]
    count = push(_doccano_client(url, config), project, docs)
    typer.echo(f"pushed {count} documents to project {project}")


@doccano_app.command("pull")
def doccano_pull(
    project: int = typer.Argument(..., help="Doccano project id."),
    out: Path = typer.Option(..., "--out", "-o", help="Doccano JSONL to write (e.g. annotations/doccano/batch1.jsonl)."),
    url: Optional[str] = _DOCCANO_URL,
    config: Optional[Path] = _DOCCANO_CONFIG,
) -> None:
    """Export a project, validate it and write it atomically (a failed pull leaves the old file)."""
    from .doccano import pull

    docs = pull(_doccano_client(url, config), project, out)
    typer.echo(f"pulled {len(docs)} documents into {out}")


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=1)


@app.callback()
def main(verbose: bool = typer.Option(False, "--verbose", "-v", help="Log progress details to stderr.")) -> None:
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


def _single_report(path: str, encoding: Optional[str]):
    from .ingest import Failure, iter_reports

    results = list(iter_reports([path], encoding=encoding))
    if len(results) != 1:
        _fail(f"{path} holds {len(results)} documents; give one report file")
    if isinstance(results[0], Failure):
        _fail(results[0].error)
    return results[0]


@app.command()
def normalize(
    path: str = typer.Argument(..., help="A report file (.txt .html .docx .pdf), or - for standard input."),
    encoding: Optional[str] = typer.Option(None, help="Force the input encoding (default: detect)."),
) -> None:
    """Print the normalized text of one report, as annotators and the models see it."""
    report = _single_report(path, encoding)
    typer.echo(report.text)
    typer.secho(f"[{report.source}: {report.format}, {report.meta.get('encoding', 'n/a')}, "
                f"{len(report.normalized.source)} -> {len(report.text)} chars]", err=True, dim=True)


@app.command()
def outline(
    path: str = typer.Argument(..., help="A report file, or - for standard input."),
    encoding: Optional[str] = typer.Option(None, help="Force the input encoding (default: detect)."),
) -> None:
    """Print a report's metadata and its heading tree with section kinds."""
    from .metadata import extract_metadata
    from .structure import analyse

    report = _single_report(path, encoding)
    meta = extract_metadata(report.text, report.meta)
    for key, value in meta.items():
        typer.echo(f"{key:>7}: {value if value is not None else '-'}")
    structure = analyse(report.text)
    typer.echo(f"{len(structure.paragraphs)} paragraphs, {len(structure.sentences)} sentences, {len(structure.headings)} headings")
    for heading in structure.headings:
        kind = structure.section_at(heading.start).kind
        typer.echo(f"{'  ' * heading.level}{heading.text}  [{kind}, chars {heading.start}-{heading.end}]")


@app.command()
def extract(
    paths: List[str] = typer.Argument(..., help="Report files, folders (recursive), JSONL corpora, or - for standard input."),
    out: Path = typer.Option(..., "--out", "-o", help="Output JSONL file (one record per input document)."),
    model: Optional[Path] = typer.Option(None, "--model", "-m", help="spaCy pipeline folder (default: the shipped models/fazhi_zh_pipeline or $FAZHI_MODEL)."),
    resume: bool = typer.Option(False, "--resume", help="Continue an interrupted run: keep the records already in OUT, process the rest."),
    overwrite: bool = typer.Option(False, "--overwrite", help="Replace OUT if it exists."),
    n_process: int = typer.Option(1, "--n-process", "-n", min=1, help="Worker processes."),
    batch_size: int = typer.Option(16, "--batch-size", min=1, help="Documents per batch."),
    tables: Optional[str] = typer.Option(None, "--tables", help="Also write flat tables next to OUT: csv or parquet."),
    encoding: Optional[str] = typer.Option(None, help="Force the encoding of text inputs (default: detect)."),
    max_mb: float = typer.Option(20, "--max-mb", help="Refuse single reports larger than this (MB)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Extract measures, metrics, values, institutions, relations and triples (JSONL, see spec/output.md)."""
    from .extract import extract as run_extract
    from .extract import load_pipeline

    if tables not in (None, "csv", "parquet"):
        _fail(f"--tables takes csv or parquet, not {tables!r}")
    if overwrite and out.exists():
        out.unlink()
    nlp = load_pipeline(model)
    bar = _progress_bar(quiet)
    started = time.perf_counter()

    def on_record(written) -> None:
        if bar is not None:
            bar.update(1)
            bar.chars += written.chars
            elapsed = max(time.perf_counter() - started, 1e-9)
            bar.set_postfix_str(f"{bar.chars / elapsed:,.0f} chars/s, {written.doc_id}")

    try:
        summary = run_extract(paths, out, nlp, resume=resume, n_process=n_process, batch_size=batch_size,
                              encoding=encoding, max_bytes=int(max_mb * 2**20), on_record=on_record)
    finally:
        if bar is not None:
            bar.close()
    if tables:
        from .tables import write_tables

        for path in write_tables(out, tables):
            typer.echo(f"wrote {path}", err=True)
    typer.echo(f"{summary.written} documents written to {out} ({summary.errors} errors, "
               f"{summary.skipped} already done)", err=True)


@app.command()
def evaluate(
    gold: Path = typer.Option(Path("annotations/gold/gold.jsonl"), "--gold", "-g", help="Gold Doccano JSONL."),
    predictions: Optional[Path] = typer.Option(None, "--predictions", "-p", help="An extract JSONL to score."),
    model: Optional[Path] = typer.Option(None, "--model", "-m", help="Or: run this pipeline on the gold texts."),
    split: Optional[str] = typer.Option(None, "--split", help="Only documents of this split of annotations/splits.json (train, dev, test)."),
    splits_file: Path = typer.Option(Path("annotations/splits.json"), "--splits", help="Split manifest."),
    out: Path = typer.Option(Path("out/evaluation"), "--out", "-o", help="Writes OUT.json and OUT.md."),
    bootstrap: int = typer.Option(1000, help="Bootstrap resamples over documents."),
) -> None:
    """Score predictions against gold: per-label P/R/F1 (strict; MEASURE also by overlap), relations end to end, triples."""
    from . import evaluate as ev
    from .extract import load_pipeline
    from .scoring import markdown_table

    ids = None
    if split is not None:
        manifest = json.loads(splits_file.read_text(encoding="utf-8"))
        if split not in manifest:
            _fail(f"{splits_file} has no split {split!r}")
        ids = set(manifest[split])
    gold_docs = ev.read_gold_file(gold, ids)
    if predictions is not None:
        predicted = ev.read_predictions(predictions)
        predicted = {g.doc_id: predicted[g.doc_id] for g in gold_docs if g.doc_id in predicted}
    else:
        predicted = {p.doc_id: p for p in ev.predict_with_model(load_pipeline(model), gold_docs)}
    summary, scores = ev.evaluate(gold_docs, predicted, n_bootstrap=bootstrap)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
    title = f"Evaluation of {predictions or model or 'the shipped model'} on {gold}" + (f" ({split})" if split else "")
    out.with_suffix(".md").write_text(ev.report_markdown(summary, scores, title), encoding="utf-8")
    typer.echo(markdown_table(summary))
    typer.echo(f"wrote {out.with_suffix('.json')} and {out.with_suffix('.md')}", err=True)


@app.command()
def show(
    report: str = typer.Argument(..., help="A report file, or an extract JSONL with --record ID."),
    out: Path = typer.Option(..., "--out", "-o", help="HTML page to write."),
    record_id: Optional[str] = typer.Option(None, "--record", help="Show this doc_id of an extract JSONL instead of running the model."),
    model: Optional[Path] = typer.Option(None, "--model", "-m", help="Pipeline (default: the shipped one)."),
    encoding: Optional[str] = typer.Option(None, help="Force the input encoding."),
) -> None:
    """Write one report as an HTML page: highlighted spans, relations, triples, outline."""
    from .records import report_record
    from .show import render_page

    if record_id is not None:
        from .tables import read_records

        found = [r for r in read_records(Path(report)) if r["doc_id"] == record_id]
        if not found:
            _fail(f"{report} has no record {record_id!r}")
        record = found[0]
    else:
        from .extract import load_pipeline

        result = _single_report(report, encoding)
        record = report_record(result, load_pipeline(model)(result.text))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_page(record), encoding="utf-8")
    typer.echo(f"wrote {out} ({len(record['entities'])} spans, {len(record['triples'])} triples)", err=True)


def _progress_bar(quiet: bool):
    if quiet or not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    bar = tqdm(unit="doc", desc="extract", file=sys.stderr)
    bar.chars = 0
    return bar


@annotate_app.command("sheet")
def annotate_sheet(
    doc_ids: List[str] = typer.Argument(..., help="Document ids (seed file stems or corpus ids like r001)."),
    out: Path = typer.Option(Path("annotations/work/sheets"), "--out", "-o", help="Folder for the sheets."),
) -> None:
    """Write numbered-sentence sheets that annotators cite in authoring files."""
    from .training.authoring import sheet
    from .training.sources import load_sources

    sources = load_sources()
    out.mkdir(parents=True, exist_ok=True)
    for doc_id in doc_ids:
        if doc_id not in sources:
            _fail(f"no document {doc_id!r}; ids are seed file stems and corpus ids r001…r220")
        source = sources[doc_id]
        (out / f"{doc_id}.txt").write_text(sheet(doc_id, source.normalized.text, source.meta.get("title", "")), encoding="utf-8")
    typer.echo(f"wrote {len(doc_ids)} sheets to {out}")


@annotate_app.command("check")
def annotate_check(
    files: List[Path] = typer.Argument(..., help="Authoring JSON files (annotations/authoring/<id>.json)."),
    show: bool = typer.Option(False, "--show", help="Print each document with its spans bracketed."),
) -> None:
    """Resolve authoring files against the normalized texts and check them against the schema."""
    from .training.authoring import load_authored, render_inline, resolve
    from .training.sources import load_sources

    sources = load_sources()
    errors = 0
    for path in files:
        try:
            authored = load_authored(path)
        except (OSError, json.JSONDecodeError) as error:
            typer.echo(f"{path}: error: cannot read ({error})")
            errors += 1
            continue
        source = sources.get(str(authored.get("doc_id")))
        if source is None:
            typer.echo(f"{path}: error: doc_id {authored.get('doc_id')!r} is not a known document")
            errors += 1
            continue
        doc, problems = resolve(authored, source.normalized.text, str(path))
        for problem in problems:
            typer.echo(str(problem))
        errors += sum(p.severity == "error" for p in problems)
        if show and doc is not None:
            typer.echo(render_inline(doc))
        labels = {}
        for span in doc.spans if doc else ():
            labels[span.label] = labels.get(span.label, 0) + 1
        typer.echo(f"{path}: {len(doc.spans) if doc else 0} spans {labels}, {len(doc.relations) if doc else 0} relations")
    if errors:
        _fail(f"{errors} errors")


@annotate_app.command("validate")
def annotate_validate(files: List[Path] = typer.Argument(..., help="Doccano JSONL files.")) -> None:
    """Check Doccano JSONL files against the schema; exits non-zero on any error."""
    from .annotation import read_doccano
    from .validate import validate

    errors = warnings = documents = 0
    for path in files:
        if not path.is_file():
            _fail(f"{path}: no such file")
        try:
            for number, doc in read_doccano(path):
                documents += 1
                for problem in validate(doc, f"{path}:{number}"):
                    typer.echo(str(problem))
                    errors += problem.severity == "error"
                    warnings += problem.severity == "warning"
        except FazhiError as error:
            typer.echo(f"error: {error}")
            errors += 1
    typer.echo(f"{documents} documents, {errors} errors, {warnings} warnings")
    if errors:
        raise typer.Exit(code=1)


@annotate_app.command("convert")
def annotate_convert(
    source: Path = typer.Argument(..., help="Doccano JSONL (.jsonl) or Prodigy JSONL (with --from prodigy)."),
    out: Path = typer.Argument(..., help="Output file (doccano, prodigy, docbin) or folder (hf)."),
    to: str = typer.Option(..., "--to", help="doccano, prodigy, docbin or hf."),
    from_format: str = typer.Option("doccano", "--from", help="doccano or prodigy."),
    splits_file: Path = typer.Option(Path("annotations/splits.json"), "--splits", help="Split manifest (for hf)."),
) -> None:
    """Convert annotation files between Doccano JSONL, Prodigy JSONL, spaCy DocBin and a Hugging Face DatasetDict."""
    import spacy

    from .annotation import read_doccano, write_doccano
    from .prodigy import read_prodigy, write_prodigy

    readers = {"doccano": read_doccano, "prodigy": read_prodigy}
    if from_format not in readers or to not in ("doccano", "prodigy", "docbin", "hf"):
        _fail("--from takes doccano or prodigy; --to takes doccano, prodigy, docbin or hf")
    docs = [doc for _, doc in readers[from_format](source)]
    nlp = spacy.blank("zh")
    if to == "doccano":
        count = write_doccano(docs, out)
    elif to == "prodigy":
        count = write_prodigy(docs, out, nlp)
    elif to == "docbin":
        from .training.convert import write_docbin

        count = write_docbin(nlp, docs, out, whole=True)
    else:
        from .training.hf_dataset import save, to_dataset_dict

        save(to_dataset_dict(docs, json.loads(splits_file.read_text(encoding="utf-8"))), out)
        count = len(docs)
    typer.echo(f"converted {count} documents: {source} ({from_format}) -> {out} ({to})")


def run() -> None:
    """Console entry point: user errors end in a one-line message, not a traceback."""
    try:
        app()
    except FazhiError as error:
        typer.secho(f"error: {error}", fg=typer.colors.RED, err=True)
        sys.exit(1)
