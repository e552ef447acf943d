"""HTML reader: visible text only, with exact offsets back into the source.

The standard library's `HTMLParser` reports where each piece of data starts, which
lets every visible character keep its source position; entities are decoded but
mapped to the whole entity. Script, style, template and similar elements are
skipped, and block elements end a sentence so text from two blocks never runs
together.

Comments suppress findings (detector/suppress.py): `<!-- unspin: ignore -->` or `<!--
unspin: ignore SPUN001 -->` the element that follows, `<!-- unspin: off -->` … `<!--
unspin: on -->` everything between.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from detector.document import Document, DocumentBuilder
from detector.suppress import comment_directive

INVISIBLE = {"script", "style", "template", "noscript", "head", "svg", "math", "code", "pre", "textarea", "iframe", "object"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
BLOCK = {
    "address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "details", "dialog", "div", "dl",
    "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header",
    "hr", "li", "main", "nav", "ol", "p", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead",
    "title", "tr", "ul",
}
ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);?")


class _VisibleText(HTMLParser):
    def __init__(self, builder: DocumentBuilder):
        super().__init__(convert_charrefs=False)
        self.builder = builder
        self.source = builder.source
        self.line_starts = [0] + [i + 1 for i, c in enumerate(self.source) if c == "\n"]
        self.hidden_depth = 0
        self.ignore_next = None  # the rules the next element's suppression silences
        # Open elements being suppressed: (tag, depth when opened, checked-text start, rules).
        self.ignoring: list[tuple[str, int, int, frozenset[str]]] = []
        self.off_since = None  # where an `unspin: off` range began in the checked text
        self.depth = 0

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    def handle_starttag(self, tag, attrs):
        at = self._offset()
        if tag in BLOCK:
            self.builder.separator(at)
        if tag in VOID:
            return
        self.depth += 1
        if tag in INVISIBLE:
            self.hidden_depth += 1
        if self.ignore_next is not None:
            self.ignoring.append((tag, self.depth, len(self.builder), self.ignore_next))
            self.ignore_next = None

    def handle_startendtag(self, tag, attrs):
        if tag in BLOCK:
            self.builder.separator(self._offset())

    def handle_endtag(self, tag):
        at = self._offset()
        if tag in VOID:
            if tag in BLOCK:
                self.builder.separator(at)
            return
        if tag in INVISIBLE and self.hidden_depth:
            self.hidden_depth -= 1
        if self.ignoring and self.ignoring[-1][0] == tag and self.ignoring[-1][1] == self.depth:
            _, _, start, rules = self.ignoring.pop()
            self.builder.ignored.append((start, len(self.builder), rules))
        self.depth = max(0, self.depth - 1)
        if tag in BLOCK:
            self.builder.separator(at)

    def handle_data(self, data):
        if self.hidden_depth:
            return
        start = self._offset()
        self.builder.copy(start, start + len(data))

    def _handle_reference(self):
        if self.hidden_depth:
            return
        start = self._offset()
        match = ENTITY.match(self.source, start)
        if match:
            self.builder.replace(start, match.end(), html.unescape(match.group()))

    def handle_entityref(self, name):
        self._handle_reference()

    def handle_charref(self, name):
        self._handle_reference()

    def handle_comment(self, data):
        directive = comment_directive(data)
        if directive is None:
            return
        kind, rules = directive
        if kind == "ignore":
            self.ignore_next = rules
        elif kind == "off" and self.off_since is None:
            self.off_since = len(self.builder)
        elif kind == "on" and self.off_since is not None:
            self.builder.ignored.append((self.off_since, len(self.builder), frozenset()))
            self.off_since = None


def read_html(path: str, source: str) -> Document:
    builder = DocumentBuilder(path, source)
    parser = _VisibleText(builder)
    parser.feed(source)
    parser.close()
    if parser.off_since is not None:
        builder.ignored.append((parser.off_since, len(builder), frozenset()))
    return builder.build()
