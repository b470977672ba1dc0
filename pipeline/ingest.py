"""Inputs to reports: files, folders (recursively), JSONL corpora and standard input.

`iter_reports` yields exactly one result per input document, a `Report` or a `Failure`
that says what is wrong: no input is ever skipped silently.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Union

from . import html_text
from .decode import decode_bytes
from .errors import InputError
from .normalize import NormalizedText, normalize

logger = logging.getLogger(__name__)

FORMATS = {
    ".txt": "text", ".text": "text",
    ".html": "html", ".htm": "html", ".shtml": "html", ".xhtml": "html",
    ".docx": "docx", ".pdf": "pdf", ".jsonl": "jsonl",
}
MAX_REPORT_BYTES = 20 * 2**20
# A DOCX whose parts unpack to more than this, or at a higher ratio, is refused (zip bomb).
MAX_UNZIPPED_BYTES = 200 * 2**20
MAX_ZIP_RATIO = 200
STDIN = "-"


@dataclass(frozen=True)
class Report:
    doc_id: str
    source: str  # a path, path:line for a JSONL record, or <stdin>
    format: str
    normalized: NormalizedText
    meta: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.normalized.text


@dataclass(frozen=True)
class Failure:
    doc_id: str
    source: str
    error: str


Result = Union[Report, Failure]


def iter_reports(paths: Iterable[str | Path], encoding: str | None = None, max_bytes: int = MAX_REPORT_BYTES) -> Iterator[Result]:
    ids = _IdRegistry()
    for raw in paths:
        if str(raw) == STDIN:
            yield _from_stdin(ids, encoding, max_bytes)
            continue
        path = Path(raw)
        if path.is_dir():
            yield from _from_folder(path, ids, encoding, max_bytes)
        elif path.exists():
            yield from _from_file(path, ids, encoding, max_bytes)
        else:
            yield Failure(ids.claim(path.stem or str(path)), str(path), f"{path}: no such file or folder")


def _from_folder(folder: Path, ids, encoding, max_bytes) -> Iterator[Result]:
    found = 0
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                logger.info("skipping hidden file %s", Path(root) / name)
                continue
            found += 1
            yield from _from_file(Path(root) / name, ids, encoding, max_bytes)
    if not found:
        yield Failure(ids.claim(folder.name or str(folder)), str(folder), f"{folder}: the folder holds no report files")


def _from_file(path: Path, ids, encoding, max_bytes) -> Iterator[Result]:
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        supported = ", ".join(sorted(FORMATS))
        yield Failure(ids.claim(path.stem), str(path), f"{path}: unsupported file type {path.suffix or '(none)'!r}; supported: {supported}")
        return
    if kind == "jsonl":
        yield from _from_jsonl(path, ids, max_bytes)
        return
    doc_id = ids.claim(path.stem)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(f"{path}: the file is {size / 2**20:.1f} MB, over the limit of {max_bytes / 2**20:.0f} MB for one report; split it or raise --max-mb")
        yield _READERS[kind](path, doc_id, encoding)
    except InputError as error:
        yield Failure(doc_id, str(path), str(error))
    except OSError as error:
        yield Failure(doc_id, str(path), f"{path}: cannot read ({error.strerror or error})")


def _read_text(path: Path, doc_id: str, encoding: str | None) -> Result:
    text, detected = decode_bytes(path.read_bytes(), str(path), encoding)
    return _report(doc_id, str(path), "text", normalize(text), {"encoding": detected})


def _read_html(path: Path, doc_id: str, encoding: str | None) -> Result:
    html, detected = decode_bytes(path.read_bytes(), str(path), encoding)
    extracted = html_text.extract(html, str(path))
    normalized = normalize(extracted.text, origin=(html, extracted.starts, extracted.ends))
    meta = {"encoding": detected}
    if extracted.title:
        meta["page_title"] = extracted.title
    return _report(doc_id, str(path), "html", normalized, meta)


def _read_docx(path: Path, doc_id: str, encoding: str | None) -> Result:
    _check_zip(path)
    import docx
    from docx.table import Table

    try:
        document = docx.Document(str(path))
    except Exception as error:  # python-docx raises several unrelated types for broken parts
        raise InputError(f"{path}: not a readable DOCX ({error})") from error
    lines = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(cell.text for row in block.rows for cell in row.cells)
        else:
            lines.append(block.text)
    text = "\n".join(lines)
    if not text.strip():
        raise InputError(f"{path}: the DOCX has no text")
    return _report(doc_id, str(path), "docx", normalize(text), {})


def _check_zip(path: Path) -> None:
    if not zipfile.is_zipfile(path):
        raise InputError(f"{path}: not a DOCX (a DOCX is a zip archive; this file is not one)")
    with zipfile.ZipFile(path) as archive:
        infos = archive.infolist()
        names = {info.filename for info in infos}
        if "word/document.xml" not in names:
            raise InputError(f"{path}: not a DOCX (the archive has no word/document.xml)")
        unpacked = sum(info.file_size for info in infos)
        packed = max(sum(info.compress_size for info in infos), 1)
        if unpacked > MAX_UNZIPPED_BYTES or unpacked / packed > MAX_ZIP_RATIO:
            raise InputError(
                f"{path}: refused as a zip bomb: {unpacked / 2**20:.0f} MB unpacked from {packed / 2**20:.2f} MB "
                f"(limits {MAX_UNZIPPED_BYTES / 2**20:.0f} MB, ratio {MAX_ZIP_RATIO})"
            )


def _read_pdf(path: Path, doc_id: str, encoding: str | None) -> Result:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not _try_empty_password(reader):
            raise InputError(f"{path}: the PDF is encrypted; decrypt it first")
        pages = [page.extract_text() or "" for page in reader.pages]
    except InputError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError) as error:
        raise InputError(f"{path}: not a readable PDF ({error})") from error
    text = "\n".join(pages)
    if not html_text._CJK.search(text) and len(text.strip()) < 20:
        raise InputError(f"{path}: the PDF has no text layer (scanned or image-only, {len(pages)} pages); run OCR first")
    return _report(doc_id, str(path), "pdf", normalize(text), {"pages": len(pages)})


def _try_empty_password(reader) -> bool:
    try:
        return bool(reader.decrypt(""))
    except Exception:  # pypdf raises a dependency error when AES support is missing
        return False


def _from_jsonl(path: Path, ids, max_bytes: int) -> Iterator[Result]:
    try:
        handle = open(path, "rb")
    except OSError as error:
        yield Failure(ids.claim(path.stem), str(path), f"{path}: cannot read ({error.strerror or error})")
        return
    records = 0
    with handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            records += 1
            where = f"{path}:{number}"
            yield _jsonl_record(raw, where, f"{path.stem}:{number}", ids, max_bytes)
    if not records:
        yield Failure(ids.claim(path.stem), str(path), f"{path}: the JSONL file has no records")


def _jsonl_record(raw: bytes, where: str, fallback_id: str, ids, max_bytes: int) -> Result:
    if len(raw) > max_bytes:
        return Failure(ids.claim(fallback_id), where, f"{where}: the record is {len(raw) / 2**20:.1f} MB, over the limit")
    try:
        record = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        return Failure(ids.claim(fallback_id), where, f"{where}: not UTF-8 (byte {error.start}); JSONL must be UTF-8")
    except json.JSONDecodeError as error:
        return Failure(ids.claim(fallback_id), where, f"{where}: not JSON ({error.msg} at column {error.colno})")
    if not isinstance(record, dict):
        return Failure(ids.claim(fallback_id), where, f"{where}: expected a JSON object, found {type(record).__name__}")
    doc_id = ids.claim(str(record.get("id") or fallback_id))
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        return Failure(doc_id, where, f"{where}: the record has no \"text\" field with report text")
    meta = {k: v for k, v in record.items() if k != "text"}
    return _report(doc_id, where, "jsonl", normalize(text), meta)


def _from_stdin(ids, encoding, max_bytes) -> Result:
    doc_id = ids.claim("stdin")
    data = sys.stdin.buffer.read(max_bytes + 1)
    if len(data) > max_bytes:
        return Failure(doc_id, "<stdin>", f"<stdin>: more than {max_bytes / 2**20:.0f} MB; write it to a file and split it")
    try:
        text, detected = decode_bytes(data, "<stdin>", encoding)
    except InputError as error:
        return Failure(doc_id, "<stdin>", str(error))
    return _report(doc_id, "<stdin>", "text", normalize(text), {"encoding": detected})


def _report(doc_id: str, source: str, kind: str, normalized: NormalizedText, meta: dict) -> Result:
    if not normalized.text.strip():
        return Failure(doc_id, source, f"{source}: no report text is left after normalization (only page furniture or white space)")
    return Report(doc_id, source, kind, normalized, {**normalized.furniture, **meta})


_READERS = {"text": _read_text, "html": _read_html, "docx": _read_docx, "pdf": _read_pdf}


class _IdRegistry:
    """Document ids unique within one run: a repeated stem gets ~2, ~3, …"""

    def __init__(self):
        self.seen: dict[str, int] = {}

    def claim(self, doc_id: str) -> str:
        count = self.seen.get(doc_id, 0) + 1
        self.seen[doc_id] = count
        return doc_id if count == 1 else f"{doc_id}~{count}"
