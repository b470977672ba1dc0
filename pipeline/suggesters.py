"""Candidate MEASURE spans for spancat, from the boundary rules of the schema.

A measure starts near the beginning of a clause (after its subject, time phrase and
adverbs) and ends where a clause ends (before , ; 。 and the like), occasionally running
over one comma. So the suggester proposes every span that starts within the first
`max_start` tokens of a clause and ends at the end of that clause or of the next
`max_clauses - 1` ones. On the gold corpus this covers 94% of the MEASURE spans with about
1.2 candidates per character (24 / 2), where an n-gram suggester up to 60 tokens would need 60.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterable, Optional

import numpy

from spacy.attrs import IDX, LENGTH
from spacy.tokens import Doc
from thinc.api import Ops, get_current_ops
from thinc.types import Ragged

from .doctext import doc_text

CLAUSE_ENDS = set("，,；;。！？!?：:\n")
# clause marks and every character str.isspace() accepts (all below U+3001)
_BREAK_CODES = numpy.array(sorted(set(map(ord, CLAUSE_ENDS)) | {c for c in range(0x3001) if chr(c).isspace()}), dtype="<u4")


def clause_bounds(doc: Doc) -> numpy.ndarray:
    """Token ranges of the clauses: maximal runs of tokens that are neither clause marks nor
    whitespace, also broken after a token followed by a line break."""
    text = doc_text(doc)
    starts = doc.to_array(IDX).astype("int64")
    ends = starts + doc.to_array(LENGTH).astype("int64")
    if not len(starts):
        return numpy.zeros((0, 2), dtype="int64")
    is_break = numpy.isin(_codes(text), _BREAK_CODES)[starts] & (ends - starts == 1)
    for i in numpy.nonzero(ends - starts > 1)[0].tolist():  # multi-character tokens
        token = text[starts[i]:ends[i]]
        is_break[i] = token in CLAUSE_ENDS or token.isspace() or "\n" in token
    newlines = mark_counts(text, "\n")
    following = numpy.append(starts[1:], len(text))
    line_after = newlines[following] > newlines[ends]
    inside = ~is_break
    previous_open = numpy.concatenate([[False], inside[:-1] & ~line_after[:-1]])
    next_open = numpy.append(inside[1:], False)
    first = numpy.nonzero(inside & ~previous_open)[0]
    last = numpy.nonzero(inside & (~next_open | line_after))[0] + 1
    return numpy.stack([first, last], axis=1)


@lru_cache(maxsize=4)
def _codes(text: str) -> numpy.ndarray:
    """Character codes of `text` (read-only). Cached: the clause bounds, the well-formedness
    filter and every mark_counts call (four in the METRIC linker's features, two in the relation
    features) ask for the codes of the same document text."""
    return numpy.frombuffer(text.encode("utf-32-le"), dtype="<u4")


def clause_candidates(doc: Doc, max_start: int, max_clauses: int, min_length: int) -> numpy.ndarray:
    """Spans starting in the first `max_start` tokens of a clause and ending at the end of that
    clause or of one of the next `max_clauses - 1`; ordered by clause, start, end clause."""
    bounds = clause_bounds(doc)
    n = len(bounds)
    starts = bounds[:, :1] + numpy.arange(max_start)[None, :]  # (clauses, max_start)
    later = numpy.arange(n)[:, None] + numpy.arange(max_clauses)[None, :]  # (clauses, max_clauses)
    ends = numpy.where(later < n, bounds[numpy.minimum(later, max(n - 1, 0)), 1], -1) if n else later
    starts, ends = numpy.broadcast_arrays(starts[:, :, None], ends[:, None, :])
    keep = (starts < bounds[:, 1, None, None]) & (ends >= 0) & (ends - starts >= min_length)
    return numpy.stack([starts[keep], ends[keep]], axis=1)


def mark_counts(text: str, marks: str) -> numpy.ndarray:
    """counts[i] = how many of the first i characters of `text` are in `marks`, so a span
    (s, e) contains counts[e] - counts[s] of them."""
    return numpy.concatenate([[0], numpy.cumsum(numpy.isin(_codes(text), [ord(c) for c in marks]))])


PAIRS = {"(": ")", "（": "）", "“": "”", "‘": "’", "《": "》", "「": "」", "[": "]", "【": "】"}
CLOSING = set(PAIRS.values())
MARKS = "".join(PAIRS) + "".join(CLOSING)
BAD_FIRST = CLOSING | set("、，,。；;：:！？")
BAD_LAST = set(PAIRS) | set("、，,。；;：:")
_BAD_FIRST_CODES = numpy.array(sorted(map(ord, BAD_FIRST)), dtype="<u4")
_BAD_LAST_CODES = numpy.array(sorted(map(ord, BAD_LAST)), dtype="<u4")


def well_formed(text: str, starts: numpy.ndarray, ends: numpy.ndarray) -> numpy.ndarray:
    """Spans that neither start with a closing mark or separator nor end with an opening mark,
    and whose brackets and quotes pair up: true of all 1,053 gold METRICs and of 2,550 of the
    2,552 gold MEASUREs (the other two copy an unbalanced bracket of their source); candidates
    like ）、逮捕数（同比上 are not."""
    codes = _codes(text)
    ok = ~numpy.isin(codes, _BAD_FIRST_CODES)[starts] & ~numpy.isin(codes, _BAD_LAST_CODES)[ends - 1]
    marks = mark_counts(text, MARKS)
    for row in numpy.nonzero(ok & (marks[ends] > marks[starts]))[0].tolist():
        ok[row] = _balanced(text[starts[row]:ends[row]])
    return ok


def _balanced(piece: str) -> bool:
    expected = []
    for ch in piece:
        if ch in PAIRS:
            expected.append(PAIRS[ch])
        elif ch in CLOSING and (not expected or expected.pop() != ch):
            return False
    return not expected


def clause_suggester(docs: Iterable[Doc], *, ops: Optional[Ops] = None, max_start: int = 24,
                     max_clauses: int = 2, min_length: int = 2) -> Ragged:
    ops = ops or get_current_ops()
    found = [clause_candidates(doc, max_start, max_clauses, min_length) for doc in docs]
    spans = numpy.concatenate(found) if found else numpy.zeros((0, 2), dtype="int64")
    return Ragged(ops.asarray2i(spans.astype("int32")), ops.asarray1i([len(f) for f in found]))


def metric_candidates(doc: Doc, back: int, forward: int, linkers: str = "、和及与") -> list[tuple[int, int]]:
    """Candidate METRIC spans around each value: ending at the value (or a linker such as 达到
    or a list mark 、 before it) and starting up to `back` characters earlier within the clause,
    or starting right after the value (召开4次联席会议). Values are the doc's VALUE entities and
    the VALUE patterns. 97% of the gold METRICs are candidates, at 0.4 candidates per character."""
    from .rules import find_values

    text = doc_text(doc)
    anchors = {(e.start_char, e.end_char) for e in doc.ents if e.label_ == "VALUE"} | set(find_values(text))
    spans: set[tuple[int, int]] = set()
    for value_start, value_end in anchors:
        spans |= anchor_char_spans(text, value_start, value_end, back, forward, linkers)
    return _token_spans(doc, sorted(spans))


def anchor_char_spans(text: str, value_start: int, value_end: int, back: int, forward: int,
                      linkers: str) -> set[tuple[int, int]]:
    """Character spans of the METRIC candidates of one value (see metric_candidates)."""
    clause_start = next((i + 1 for i in range(value_start - 1, -1, -1) if text[i] in CLAUSE_ENDS), 0)
    clause_end = next((i for i in range(value_end, len(text)) if text[i] in CLAUSE_ENDS), len(text))
    ends = {value_start} | {value_start - k for k in range(1, 5) if value_start - k > clause_start}
    ends |= {i for i in range(clause_start, value_start) if text[i] in linkers}
    spans = {(start, end) for end in ends for start in range(max(clause_start, end - back), end)}
    for start in (value_end, value_end + 1):
        spans.update((start, end) for end in range(start + 1, min(clause_end, start + forward) + 1))
    return spans


def _token_spans(doc: Doc, char_spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Token (start, end) of the character spans that start and end on token boundaries
    (what doc.char_span does in strict mode, for many spans at once)."""
    if not char_spans:
        return []
    first, after, keep = token_bounds(doc, numpy.asarray(char_spans, dtype="int64"))
    return list(zip(first[keep].tolist(), after[keep].tolist()))


def token_bounds(doc: Doc, char_spans: numpy.ndarray) -> tuple[numpy.ndarray, numpy.ndarray, numpy.ndarray]:
    """First token and token end of each (start_char, end_char) row, and which rows start and
    end on token boundaries."""
    token_starts = doc.to_array(IDX).astype("int64")
    token_ends = token_starts + doc.to_array(LENGTH).astype("int64")
    size = int(token_ends[-1]) + 1 if len(doc) else 1
    token_at_start = numpy.full(size + 1, -1, dtype="int64")
    token_at_start[token_starts] = numpy.arange(len(doc))
    token_after_end = numpy.full(size + 1, -1, dtype="int64")
    token_after_end[token_ends] = numpy.arange(1, len(doc) + 1)
    spans = numpy.clip(char_spans.reshape(-1, 2), 0, size)
    first, after = token_at_start[spans[:, 0]], token_after_end[spans[:, 1]]
    return first, after, (first >= 0) & (after > first)


def metric_suggester(docs: Iterable[Doc], *, ops: Optional[Ops] = None, back: int = 24, forward: int = 24,
                     linkers: str = "、和及与") -> Ragged:
    ops = ops or get_current_ops()
    spans, lengths = [], []
    for doc in docs:
        found = metric_candidates(doc, back, forward, linkers)
        spans.extend(found)
        lengths.append(len(found))
    data = ops.asarray2i(spans) if spans else ops.xp.zeros((0, 0), dtype="i")
    return Ragged(data, ops.asarray1i(lengths))
