"""Report structure: paragraphs, headings at every level, section paths and kinds, sentences.

Works on normalized text (see normalize.py). Offsets are character offsets into it.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from . import lexicon

SENTENCE_ENDS = "。！？；;"
# ASCII ! and ? end a sentence only before a line end or a closing mark: in the corpus a
# lone "?" often stands for a character lost in conversion.
WEAK_SENTENCE_ENDS = "!?"
CLOSERS = "”’」』）)》〉】"
QUOTE_PAIRS = {"“": "”", "‘": "’", "「": "」", "『": "』"}


@dataclass(frozen=True)
class Heading:
    start: int
    end: int
    text: str
    level: int
    style: str


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    paragraph: int


@dataclass(frozen=True)
class Section:
    """A stretch of text under one chain of headings."""

    start: int
    end: int
    path: tuple[str, ...]
    kind: str


@dataclass(frozen=True)
class ReportStructure:
    text: str
    paragraphs: tuple[tuple[int, int], ...]
    headings: tuple[Heading, ...]
    sections: tuple[Section, ...]
    sentences: tuple[Sentence, ...]

    def __post_init__(self) -> None:
        # start offsets for the bisect look-ups below, computed once
        object.__setattr__(self, "_section_starts", [section.start for section in self.sections])
        object.__setattr__(self, "_sentence_starts", [sentence.start for sentence in self.sentences])
        object.__setattr__(self, "_paragraph_starts", [start for start, _ in self.paragraphs])

    def section_at(self, offset: int) -> Section:
        return self.sections[max(bisect.bisect_right(self._section_starts, offset) - 1, 0)]

    def section_path(self, offset: int) -> tuple[str, ...]:
        return self.section_at(offset).path

    def sentence_at(self, offset: int) -> Sentence | None:
        i = bisect.bisect_right(self._sentence_starts, offset) - 1
        if i >= 0 and self.sentences[i].start <= offset < self.sentences[i].end:
            return self.sentences[i]
        return None

    def paragraph_index(self, offset: int) -> int:
        return max(bisect.bisect_right(self._paragraph_starts, offset) - 1, 0)


def analyse(text: str) -> ReportStructure:
    paragraphs = tuple(_paragraphs(text))
    headings = tuple(_headings(text, paragraphs))
    sections = tuple(_sections(text, paragraphs, headings))
    sentences = tuple(
        sentence for i, (start, end) in enumerate(paragraphs) for sentence in split_sentences(text, start, end, i)
    )
    return ReportStructure(text, paragraphs, headings, sections, sentences)


def _paragraphs(text: str):
    for match in re.finditer(r"[^\n]+", text):
        yield match.span()


# --- headings ---------------------------------------------------------------------------------

def _headings(text: str, paragraphs) -> list[Heading]:
    headings: list[Heading] = []
    styles: list[str] = []  # the stack of line-heading styles currently open
    for start, end in paragraphs:
        line = text[start:end]
        style = _marker_style(line)
        if style is not None:
            if style in styles:
                del styles[styles.index(style):]
            styles.append(style)
            title_end = start + _title_length(line, lexicon.HEADING_MAX_CHARS)
            headings.append(Heading(start, title_end, text[start:title_end], len(styles), style))
        for inline in _inline_headings(text, start, end):
            headings.append(Heading(inline[0], inline[1], text[inline[0]:inline[1]], len(styles) + 1, "inline"))
    return headings


def _marker_style(line: str) -> str | None:
    for style, pattern in lexicon.HEADING_MARKERS.items():
        if pattern.match(line):
            return style
    return None


def _title_length(line: str, max_chars: int) -> int:
    """A heading line's title: the whole line when short, else its lead sentence, else its
    first clause."""
    if len(line) <= max_chars and not re.search(r"[。；;]\S", line):
        return len(line)
    lead = re.match(r"[^。；;]*[。；;]", line)
    if lead and len(lead.group(0)) <= max_chars:
        return lead.end()
    clause = re.match(r"[^，,。；;]*", line)
    return min(len(clause.group(0)), max_chars) if clause else min(len(line), max_chars)


def _inline_headings(text: str, start: int, end: int):
    """一是…。 lead sentences that are short titles (一是全面加强领导。) are headings;
    a lead sentence that states actions itself is body text (schema decisions)."""
    for match in lexicon.INLINE_ENUM.finditer(text, start, end):
        head = match.start("marker")
        lead = re.compile(r"[^。；;]*[。；;]").match(text, head, end)
        if lead is None:
            continue
        title = lead.group(0)
        if len(title) <= lexicon.INLINE_TITLE_MAX_CHARS and not re.search(r"[，,、]", title):
            yield head, lead.end()


# --- sections ---------------------------------------------------------------------------------

def _sections(text: str, paragraphs, headings: list[Heading]) -> list[Section]:
    """Contiguous sections; an inline heading's scope ends with its paragraph."""
    boundaries = sorted({0, len(text)} | {h.start for h in headings} | {s for s, _ in paragraphs})
    by_start = {h.start: h for h in headings}
    paragraph_end = dict(paragraphs)
    stack: list[Heading] = []
    inline_until = -1
    sections: list[Section] = []
    for i, start in enumerate(boundaries[:-1]):
        end = boundaries[i + 1]
        if start in paragraph_end or start >= inline_until:
            stack = [h for h in stack if h.style != "inline"]
        heading = by_start.get(start)
        if heading is not None:
            stack = [h for h in stack if h.level < heading.level]
            stack.append(heading)
            if heading.style == "inline":
                inline_until = _paragraph_end_at(paragraphs, start)
        path = tuple(h.text for h in stack)
        if sections and sections[-1].path == path and sections[-1].end == start:
            sections[-1] = Section(sections[-1].start, end, path, sections[-1].kind)
        else:
            sections.append(Section(start, end, path, section_kind(path)))
    return sections or [Section(0, len(text), (), "preamble")]


def _paragraph_end_at(paragraphs, offset: int) -> int:
    for start, end in paragraphs:
        if start <= offset < end:
            return end
    return offset


def section_kind(path: tuple[str, ...]) -> str:
    """achievements, problems, plans, principal_duty, or preamble (before any heading).
    Problems and plans win over everything below them; the principal leader's duty over
    plain achievements."""
    if not path:
        return "preamble"
    for title in path:
        for kind, pattern in lexicon.SECTION_KINDS[:2]:
            if pattern.search(title):
                return kind
    if any(lexicon.SECTION_KINDS[2][1].search(title) for title in path):
        return "principal_duty"
    return "achievements"


# --- sentences --------------------------------------------------------------------------------

def split_sentences(text: str, start: int, end: int, paragraph: int = 0):
    """Sentences of one paragraph; 。！？；; end a sentence, closing quotes and brackets stay
    with it, and a terminator inside a balanced quotation does not split it."""
    balanced = _balanced_quote_opens(text, start, end)
    depth = 0
    sentence_start = start
    i = start
    while i < end:
        ch = text[i]
        if i in balanced:
            depth += 1
        elif depth and ch in QUOTE_PAIRS.values():
            depth -= 1
        is_end = ch in SENTENCE_ENDS or (ch in WEAK_SENTENCE_ENDS and (i + 1 == end or text[i + 1] in CLOSERS))
        closes_quoted_sentence = depth == 0 and ch in QUOTE_PAIRS.values() and i > start and text[i - 1] in SENTENCE_ENDS
        if (is_end and depth == 0) or closes_quoted_sentence:
            j = i + 1
            while j < end and text[j] in CLOSERS:
                j += 1
            yield Sentence(sentence_start, j, paragraph)
            sentence_start = j
            i = j
            continue
        i += 1
    if sentence_start < end:
        yield Sentence(sentence_start, end, paragraph)


def _balanced_quote_opens(text: str, start: int, end: int) -> set[int]:
    """Positions of opening quotes that are closed within the paragraph."""
    open_at: list[tuple[str, int]] = []
    balanced: set[int] = set()
    for i in range(start, end):
        ch = text[i]
        if ch in QUOTE_PAIRS:
            open_at.append((QUOTE_PAIRS[ch], i))
        elif open_at and ch == open_at[-1][0]:
            balanced.add(open_at.pop()[1])
    return balanced
