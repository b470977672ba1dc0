"""Batch extraction: inputs -> one JSONL record each, appended and flushed per document.

Crash safety: a killed job leaves at most one partial last line; `resume=True` drops it,
skips every document already written, and appends the rest, so each input document ends
up in the output exactly once.

With n_process > 1, forked workers each run the pipeline *and* build the records, and send
back JSON lines: spaCy's own `nlp.pipe(n_process=...)` ships every Doc back through
Doc.to_bytes, leaving the record building and deserialization to the parent, which then
limits the speed-up (1.37 with 2 processes on 2 cores, results/RESULTS.md). At most
2 x n_process batches are in flight, so memory stays flat however many reports stream in;
a worker that dies costs an error record for the document that killed it, not the job.
"""

from __future__ import annotations

import ctypes
import json
import logging
import multiprocessing
import os
import signal
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, NamedTuple

from spacy.util import minibatch

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
    on_record: Callable[["Written"], None] | None = None,
) -> ExtractSummary:
    out = Path(out)
    if out.exists() and out.stat().st_size and not resume:
        raise FazhiError(f"{out} exists; pass --resume to continue it or --overwrite to start again")
    skip = done_keys(out) if resume else set()
    out.parent.mkdir(parents=True, exist_ok=True)
    summary = ExtractSummary()
    kwargs = {"encoding": encoding} if max_bytes is None else {"encoding": encoding, "max_bytes": max_bytes}
    pending = (result for result in iter_reports(paths, **kwargs) if not _skipped(result, skip, summary))
    with open(out, "a", encoding="utf-8") as handle:
        for written in _records(pending, nlp, n_process, batch_size):
            handle.write(written.line)
            handle.flush()
            summary.written += 1
            summary.errors += written.is_error
            summary.chars += written.chars
            if on_record is not None:
                on_record(written)
    return summary


class Written(NamedTuple):
    line: str
    doc_id: str
    chars: int
    is_error: bool


def _skipped(result: Report | Failure, skip: set, summary: ExtractSummary) -> bool:
    if (result.doc_id, result.source) in skip:
        summary.skipped += 1
        return True
    return False


def _records(results: Iterator[Report | Failure], nlp, n_process: int, batch_size: int) -> Iterator[Written]:
    """One written line per input, in input order."""
    if n_process > 1 and "fork" in multiprocessing.get_all_start_methods():
        yield from _parallel_records(results, nlp, n_process, batch_size)
        return
    # Reports stay in this process; spaCy's workers (if any) get the text and a sequence number.
    waiting: dict[int, Report | Failure] = {}

    def texts():
        for sequence, result in enumerate(results):
            waiting[sequence] = result
            yield result.text if isinstance(result, Report) else "", sequence

    for doc, sequence in nlp.pipe(texts(), as_tuples=True, n_process=n_process, batch_size=batch_size):
        yield _line(waiting.pop(sequence), doc)


def _line(result: Report | Failure, doc) -> Written:
    record = error_record(result) if isinstance(result, Failure) else _safe_record(result, doc)
    return Written(json.dumps(record, ensure_ascii=False) + "\n", record["doc_id"], len(record["text"]), record["status"] == "error")


_WORKER_NLP = None  # the pipeline, inherited by forked workers


def _worker_lines(batch: list[Report | Failure]) -> list[Written]:
    texts = [result.text if isinstance(result, Report) else "" for result in batch]
    return [_line(result, doc) for result, doc in zip(batch, _WORKER_NLP.pipe(texts, batch_size=len(batch)))]


def _die_with_parent() -> None:
    """Linux: a worker gets SIGKILL when the parent dies (a killed job leaves no orphans)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _parallel_records(results: Iterator[Report | Failure], nlp, n_process: int, batch_size: int) -> Iterator[Written]:
    global _WORKER_NLP
    _WORKER_NLP = nlp
    pool = _WorkerPool(n_process)
    try:
        for batch in minibatch(results, batch_size):
            pool.submit(batch)
            while pool.full() or pool.head_done():
                yield from pool.next_lines()
        while pool.window:
            yield from pool.next_lines()
    finally:
        pool.close()


class _WorkerPool:
    """Forked workers with at most 2 x n_process batches in flight; lines come back in input
    order. If a worker dies (the OOM killer, a crash in native code), the batches in flight
    are redone one document at a time, each in a fresh worker, so that only a document that
    kills its worker again gets an error record, and the job goes on with a new pool."""

    def __init__(self, n_process: int):
        self.n_process = n_process
        self.executor = _executor(n_process)
        self.window: deque = deque()

    def submit(self, batch: list[Report | Failure]) -> None:
        self.window.append((batch, self.executor.submit(_worker_lines, batch)))

    def full(self) -> bool:
        return len(self.window) >= 2 * self.n_process

    def head_done(self) -> bool:
        return bool(self.window) and self.window[0][1].done()

    def next_lines(self) -> list[Written]:
        batch, future = self.window.popleft()
        try:
            return future.result()
        except BrokenProcessPool:
            lost = [batch] + [other for other, _ in self.window]
            self.window.clear()
            self.executor.shutdown(wait=True)
            self.executor = _executor(self.n_process)
            return [line for other in lost for line in _isolated(other)]

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)


def _executor(n_process: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(n_process, mp_context=multiprocessing.get_context("fork"), initializer=_die_with_parent)


def _isolated(batch: list[Report | Failure]) -> Iterator[Written]:
    """Each document in a worker of its own; an error record for one whose worker dies."""
    for result in batch:
        with _executor(1) as alone:
            try:
                yield from alone.submit(_worker_lines, [result]).result()
            except BrokenProcessPool:
                logger.error("%s: the worker process died while extracting it", result.source)
                yield _line(Failure(result.doc_id, result.source,
                                    f"{result.source}: the worker process died while extracting this document "
                                    "(out of memory, or a crash in native code)"), None)


def _safe_record(report: Report, doc) -> dict:
    try:
        return report_record(report, doc)
    except Exception as error:  # one broken document must not end a batch of thousands
        logger.exception("%s: failed to build the record", report.source)
        return error_record(Failure(report.doc_id, report.source, f"{report.source}: internal error while extracting ({error!r})"))
