"""Normalization of decoded report text, with a map back to the source characters.

Every step rewrites (text, starts, ends) together: `starts[i]`/`ends[i]` are the offsets
in the decoded source of the characters that normalized character `i` came from. A span
[s, e) of the normalized text is therefore [starts[s], ends[e - 1]) in the source.
The steps follow ../shared/spec/schema.md, "Normalization".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable

from . import lexicon

MatchRewrite = Callable[[re.Match], str]


@dataclass(frozen=True)
class NormalizedText:
    """Normalized text, the decoded source it came from, and the map between them."""

    text: str
    source: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    furniture: dict[str, str] = field(default_factory=dict)

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """Offsets in the source of the normalized span [start, end)."""
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"span [{start}, {end}) is outside a text of {len(self.text)} chars")
        if start == end:
            at = self.starts[start] if start < len(self.text) else len(self.source)
            return at, at
        return self.starts[start], self.ends[end - 1]


@dataclass
class _Draft:
    text: str
    starts: list[int]
    ends: list[int]

    def rewrite(self, pattern: re.Pattern, rewrite: MatchRewrite) -> None:
        """Replace every match of `pattern`; a replacement of the same length maps char by
        char, any other replacement maps each new char to the whole matched source."""
        pieces, starts, ends = [], [], []
        last = 0
        for match in pattern.finditer(self.text):
            new = rewrite(match)
            a, b = match.span()
            if new == match.group(0):
                continue
            pieces.append(self.text[last:a])
            starts.extend(self.starts[last:a])
            ends.extend(self.ends[last:a])
            if len(new) == b - a:
                starts.extend(self.starts[a:b])
                ends.extend(self.ends[a:b])
            elif new:
                starts.extend([self.starts[a]] * len(new))
                ends.extend([self.ends[b - 1]] * len(new))
            pieces.append(new)
            last = b
        if not pieces:
            return
        pieces.append(self.text[last:])
        starts.extend(self.starts[last:])
        ends.extend(self.ends[last:])
        self.text = "".join(pieces)
        self.starts, self.ends = starts, ends

    def translate_same_length(self, convert: Callable[[str], str]) -> None:
        """Apply a length-preserving conversion line by line (char by char where a line
        changes length, so the map stays exact)."""
        out = []
        for line in self.text.split("\n"):
            converted = convert(line)
            if len(converted) != len(line):
                converted = "".join(c if len(c := convert(ch)) == 1 else ch for ch in line)
            out.append(converted)
        self.text = "\n".join(out)


@lru_cache(maxsize=1)
def _opencc():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _opencc().convert(text)


_NEWLINES = re.compile(r"\r\n?|[\u2028\u2029\x0b\x0c\x85]")
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]+")
_EDGE_SPACE = re.compile(r"(?m)^ +| +$")
_BLANK_LINES = re.compile(r"\n{2,}")
_EDGE_NEWLINES = re.compile(r"^\n+|\n+$")
_PINYIN = re.compile(
    r"(?P<han>[\u4e00-\u9fff])(?:[(（][a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,6}[)）])+"
)
_DECIMAL_POINT = re.compile(r"(?<=\d)[．｡](?=\d)")  # 95．13 -> 95.13; Chinese 。 is left alone
_LINE = re.compile(r"[^\n]*\n|[^\n]+$")
_WIDTH = {ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９％"}
_WIDTH.update({ord(c): ord(c) - 0xFEE0 for c in map(chr, range(0xFF21, 0xFF3B))})
_WIDTH.update({ord(c): ord(c) - 0xFEE0 for c in map(chr, range(0xFF41, 0xFF5B))})


def fold_width(text: str) -> str:
    """Full-width digits, Latin letters and % to ASCII; Chinese punctuation is kept."""
    return text.translate(_WIDTH)


def strip_pinyin(text: str) -> str:
    """區(qū) -> 區: ruby left by web converters after a character (seed 004)."""
    return _PINYIN.sub(r"\g<han>", text)


def normalize(text: str, origin: tuple[str, list[int], list[int]] | None = None) -> NormalizedText:
    """Normalize decoded report text; idempotent: normalize(normalize(x).text).text equals
    normalize(x).text. `origin` is (source, starts, ends) when `text` was itself extracted
    from a larger source (an HTML page), so that the map points into that source."""
    if origin is None:
        source = text
        draft = _Draft(text, list(range(len(text))), list(range(1, len(text) + 1)))
    else:
        source, starts, ends = origin
        draft = _Draft(text, list(starts), list(ends))
    draft.rewrite(_NEWLINES, lambda m: "\n")
    draft.rewrite(_INVISIBLE, lambda m: "")
    draft.translate_same_length(fold_width)
    draft.rewrite(_DECIMAL_POINT, lambda m: ".")
    draft.rewrite(_PINYIN, lambda m: m.group("han"))
    draft.translate_same_length(to_simplified)
    draft.rewrite(_SPACES, lambda m: " ")
    draft.rewrite(_EDGE_SPACE, lambda m: "")
    furniture = _drop_furniture(draft)
    draft.rewrite(_BLANK_LINES, lambda m: "\n")
    draft.rewrite(_EDGE_NEWLINES, lambda m: "")
    return NormalizedText(draft.text, source, tuple(draft.starts), tuple(draft.ends), furniture)


def _drop_furniture(draft: _Draft) -> dict[str, str]:
    """Move web-page furniture lines (view counters, 扫一扫…, index numbers, 主动公开, the
    header block of government pages) into metadata and out of the text."""
    lines = draft.text.split("\n")
    found: dict[str, str] = {}
    drop = [lexicon.furniture_kind(line) is not None for line in lines]
    for i, line in enumerate(lines):
        if drop[i]:
            lexicon.collect_furniture(line, found)
    # A short line between two furniture lines of the page header (issuer, date) is header too.
    for i in range(1, len(lines) - 1):
        if not drop[i] and drop[i - 1] and _header_neighbour(drop, i) and lexicon.is_header_cell(lines[i]):
            drop[i] = True
            lexicon.collect_header_cell(lines[i], found)
    if not any(drop):
        return found
    index = iter(range(len(lines)))
    draft.rewrite(_LINE, lambda m: "" if drop[next(index)] else m.group(0))
    return found


def _header_neighbour(drop: list[bool], i: int) -> bool:
    return any(drop[j] for j in range(i + 1, min(i + 4, len(drop))))
