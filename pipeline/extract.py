"""Batch extraction: inputs -> one JSONL record each, appended and flushed per document.

Crash safety: a killed job leaves at most one partial last line; `resume=True` drops it,
skips every document already written, and appends the rest, so each input document ends
up in the output exactly once.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .errors import FazhiError
from .ingest import Failure, Report, iter_reports
from .records import error_record, report_record

logger = logging.getLogger(__name__)
DEFAULT_MODEL = Path(__file__).resolve().parent.parent / "models" / "fazhi_zh_pipeline"


@dataclass
class ExtractSummary:
    written: int = 0
    errors: int = 0
    skipped: int = 0
    chars: int = 0


def load_pipeline(model: str | Path | None = None):
    import spacy

    from . import extensions  # noqa: F401  (declares doc._.relations)

    path = Path(model or os.environ.get("FAZHI_MODEL") or DEFAULT_MODEL)
    if not path.exists():
        raise FazhiError(f"no model at {path}; build one with `spacy project run all` or pass --model")
    return spacy.load(path)


def done_keys(out: Path) -> set[tuple[str, str]]:
    """(doc_id, source) of the complete records in `out`; a partial last line is cut off."""
    if not out.exists():
        return set()
    keys = set()
    good_bytes = 0
    with open(out, "rb") as handle:
        for raw in handle:
            try:
                record = json.loads(raw)
            except json.JSONDecodeError:
                break
            if not raw.endswith(b"\n"):
                break
            keys.add((record["doc_id"], record["source"]))
            good_bytes += len(raw)
    if good_bytes != out.stat().st_size:
        logger.warning("%s: dropping a partial last record left by an interrupted run", out)
        with open(out, "r+b") as handle:
            handle.truncate(good_bytes)
    return keys


def extract(
    paths: Iterable[str | Path],
    out: Path,
    nlp,
    *,
    resume: bool = False,
    n_process: int = 1,
    batch_size: int = 16,
    encoding: str | None = None,
    max_bytes: int | None = None,
    on_record: Callable[[dict], None] | None = None,
) -> ExtractSummary:
    out = Path(out)
    if out.exists() and out.stat().st_size and not resume:
        raise FazhiError(f"{out} exists; pass --resume to continue it or --overwrite to start again")
    skip = done_keys(out) if resume else set()
    out.parent.mkdir(parents=True, exist_ok=True)
    summary = ExtractSummary()
    kwargs = {"encoding": encoding} if max_bytes is None else {"encoding": encoding, "max_bytes": max_bytes}
    # Reports stay in this process; workers get the text and a sequence number only.
    waiting: dict[int, Report | Failure] = {}
    pending = _pending(iter_reports(paths, **kwargs), skip, summary, waiting)
    with open(out, "a", encoding="utf-8") as handle:
        stream = nlp.pipe(pending, as_tuples=True, n_process=n_process, batch_size=batch_size)
        for doc, sequence in stream:
            result = waiting.pop(sequence)
            record = error_record(result) if isinstance(result, Failure) else _safe_record(result, doc)
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            handle.flush()
            summary.written += 1
            summary.errors += record["status"] == "error"
            summary.chars += len(record["text"])
            if on_record is not None:
                on_record(record)
    return summary


def _pending(results: Iterator, skip: set, summary: ExtractSummary, waiting: dict):
    for sequence, result in enumerate(results):
        if (result.doc_id, result.source) in skip:
            summary.skipped += 1
            continue
        waiting[sequence] = result
        yield (result.text if isinstance(result, Report) else "", sequence)


def _safe_record(report: Report, doc) -> dict:
    try:
        return report_record(report, doc)
    except Exception as error:  # one broken document must not end a batch of thousands
        logger.exception("%s: failed to build the record", report.source)
        return error_record(Failure(report.doc_id, report.source, f"{report.source}: internal error while extracting ({error!r})"))
