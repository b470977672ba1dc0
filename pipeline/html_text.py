"""Article text of a government web page, with the offset of every character in the HTML.

Why not BeautifulSoup or trafilatura: neither reports where a text node stands in the
source, and fazhi must give every span `source_start`/`source_end` into the decoded input.
The standard library's HTMLParser does (getpos), so the extractor is built on it: it keeps
text chunks with their source offsets, drops scripts, styles and page chrome, and picks the
element that holds the article (a known content container, else the deepest element that
holds most of the page's non-link Chinese text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser

from .errors import InputError

SKIPPED = {"script", "style", "noscript", "template", "head", "nav", "header", "footer", "aside",
           "form", "select", "button", "iframe", "svg", "object", "canvas"}
BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
          "table", "ul", "ol", "dd", "dt", "blockquote", "pre", "hr", "td"}
VOID = {"br", "hr", "img", "meta", "link", "input", "area", "base", "col", "embed", "source", "wbr"}
# Content containers of common government CMSs (TRS WCM, 政府信息公开 pages, …).
CONTAINER = re.compile(r"content|article|zoom|trs_?editor|xxgk|detail|main_?text|contxt|pages?_content|view|zw|text", re.I)
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class _Element:
    tag: str
    parent: int
    depth: int
    attrs: str
    skipped: bool = False
    in_link: bool = False
    cjk: int = 0
    link_cjk: int = 0


@dataclass
class _Chunk:
    text: str
    starts: list[int]
    ends: list[int]
    path: tuple[int, ...]  # element indices from the root
    in_link: bool = False


@dataclass
class HtmlText:
    text: str
    starts: list[int]
    ends: list[int]
    title: str = ""
    meta: dict = field(default_factory=dict)


class _Collector(HTMLParser):
    def __init__(self, html: str):
        super().__init__(convert_charrefs=False)
        self.line_starts = [0] + [m.end() for m in re.finditer(r"\n", html)]
        self.elements = [_Element("#root", -1, 0, "")]
        self.stack = [0]
        self.chunks: list[_Chunk] = []
        self.title = ""

    @property
    def _top(self) -> _Element:
        return self.elements[self.stack[-1]]

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            self.handle_startendtag(tag, attrs)
            return
        parent = self._top
        names = " ".join(v or "" for k, v in attrs if k in ("id", "class"))
        element = _Element(tag, self.stack[-1], len(self.stack), names,
                           skipped=parent.skipped or tag in SKIPPED, in_link=parent.in_link or tag == "a")
        self.elements.append(element)
        self.stack.append(len(self.elements) - 1)
        if tag in BLOCKS:
            self._newline()

    def handle_startendtag(self, tag, attrs):
        if tag in BLOCKS:
            self._newline()

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.elements[self.stack[depth]].tag == tag:
                if tag in BLOCKS:
                    self._newline()
                del self.stack[depth:]
                return

    def handle_data(self, data):
        if self._top.tag == "title":
            self.title += data
        start = self._offset()
        self._add(data, list(range(start, start + len(data))), list(range(start + 1, start + len(data) + 1)))

    def _reference(self, raw: str):
        text = unescape(raw)
        if self._top.tag == "title":
            self.title += text
        start = self._offset()
        self._add(text, [start] * len(text), [start + len(raw)] * len(text))

    def handle_entityref(self, name):
        self._reference(f"&{name};")

    def handle_charref(self, name):
        self._reference(f"&#{name};")

    def _add(self, text, starts, ends):
        if self._top.skipped:
            return
        text = re.sub(r"[\r\n\t]", " ", text)
        self.chunks.append(_Chunk(text, starts, ends, tuple(self.stack), self._top.in_link))

    def _newline(self):
        if self._top.skipped:
            return
        at = self._offset()
        self.chunks.append(_Chunk("\n", [at], [at], tuple(self.stack)))


def extract(html: str, where: str) -> HtmlText:
    collector = _Collector(html)
    try:
        collector.feed(html)
        collector.close()
    except Exception as error:  # HTMLParser is lenient; anything raised here is a broken file
        raise InputError(f"{where}: cannot parse the HTML ({error})") from error
    _count_text(collector)
    root = _article_root(collector.elements)
    chunks = [c for c in collector.chunks if root in c.path or root == 0]
    text = "".join(c.text for c in chunks)
    if not _CJK.search(text) and not re.search(r"\w{3,}", text):
        raise InputError(f"{where}: the HTML page has no article text (empty body, or only scripts and navigation)")
    starts = [s for c in chunks for s in c.starts]
    ends = [e for c in chunks for e in c.ends]
    title = unescape(re.sub(r"\s+", " ", collector.title)).strip()
    return HtmlText(text, starts, ends, title)


def _count_text(collector: _Collector) -> None:
    for chunk in collector.chunks:
        cjk = len(_CJK.findall(chunk.text))
        for index in chunk.path:
            element = collector.elements[index]
            element.cjk += cjk
            if chunk.in_link:
                element.link_cjk += cjk


def _article_root(elements: list[_Element]) -> int:
    """A known content container holding at least 80% of the page's non-link Chinese text (the
    deepest), else one holding at least half of it (the fullest), else the deepest element
    holding 80%."""
    total = elements[0].cjk - elements[0].link_cjk
    if total <= 0:
        return 0
    own = [e.cjk - e.link_cjk for e in elements]
    full = [i for i in range(len(elements)) if own[i] >= 0.8 * total]
    containers = [i for i in range(1, len(elements)) if CONTAINER.search(elements[i].attrs) and own[i] >= 0.5 * total]
    full_containers = [i for i in containers if i in full]
    if full_containers:
        return max(full_containers, key=lambda i: elements[i].depth)
    if containers:
        return max(containers, key=lambda i: own[i])
    return max(full, key=lambda i: elements[i].depth)


