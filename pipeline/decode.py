"""Bytes to text for plain-text reports: UTF-8 (with or without BOM), GB18030/GBK, Big5.

The encoding is detected, reported, and never guessed silently: bytes that decode in no
candidate encoding, or binary data, raise an InputError naming the file.
"""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from .errors import InputError

CANDIDATES = ("gb18030", "big5")
_CONTROL = {chr(c) for c in range(32)} - {"\n", "\r", "\t", "\x0c"}


def decode_bytes(data: bytes, where: str, encoding: str | None = None) -> tuple[str, str]:
    """(text, encoding name) of `data`; `encoding` forces one."""
    if not data.strip():
        raise InputError(f"{where}: the file is empty")
    if encoding is not None:
        try:
            return data.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError) as error:
            raise InputError(f"{where}: cannot decode as {encoding}: {error}") from error
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data, "utf-8-sig", where), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16", where), "utf-16"
    if b"\x00" in data[:8192]:
        raise InputError(f"{where}: binary file (NUL bytes), not a text report")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as utf8_error:
        text, name = _detect_chinese(data, where, utf8_error)
    else:
        name = "utf-8"
    _reject_binary(text, where)
    return text, name


def _strict(data: bytes, encoding: str, where: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise InputError(f"{where}: starts with a {encoding} byte-order mark but byte {error.start} is invalid") from error


def _detect_chinese(data: bytes, where: str, utf8_error: UnicodeDecodeError) -> tuple[str, str]:
    decodable = []
    for name in CANDIDATES:
        try:
            decodable.append((name, data.decode(name)))
        except UnicodeDecodeError:
            continue
    if not decodable:
        raise InputError(
            f"{where}: undecodable bytes: not UTF-8 (invalid byte at offset {utf8_error.start}), "
            "GB18030 or Big5; convert the file to UTF-8 or pass --encoding"
        )
    if len(decodable) == 1:
        return decodable[0][1], decodable[0][0]
    best = from_bytes(data, cp_isolation=list(CANDIDATES)).best()
    if best is None:
        raise InputError(f"{where}: the bytes decode as both GB18030 and Big5 and neither reads as Chinese text; pass --encoding")
    name = "gb18030" if best.encoding.replace("_", "") in ("gb18030", "gbk", "gb2312") else "big5"
    return dict(decodable)[name], name


def _reject_binary(text: str, where: str) -> None:
    sample = text[:8192]
    controls = sum(ch in _CONTROL for ch in sample)
    if controls > max(8, len(sample) // 100):
        raise InputError(f"{where}: binary file ({controls} control characters in the first {len(sample)}), not a text report")
