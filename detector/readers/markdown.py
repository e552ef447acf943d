"""Markdown reader: prose only, with exact offsets back into the source.

markdown-it-py finds the blocks that hold prose (paragraphs, headings, list items,
quotes, table cells); fenced and indented code, HTML blocks and YAML front matter
are never checked. Inside prose lines a small scanner drops inline code, link
targets, autolinks, bare URLs, inline HTML and emphasis markers, keeps link text
and decodes entities and backslash escapes. Constructs that span several source
lines (a code span broken over two lines, say) are scanned line by line.

Comments on a line of their own suppress findings (detector/suppress.py): `<!-- unspin:
ignore -->` or `<!-- unspin: ignore SPUN001 -->` the block that follows, `<!-- unspin: off
-->` … `<!-- unspin: on -->` everything between.
"""

from __future__ import annotations

import html
import re

from markdown_it import MarkdownIt

from detector.document import Document, DocumentBuilder
from detector.suppress import comment_directive
from detector.words import LETTERS

_PARSER = MarkdownIt("commonmark").enable("table")
# markdown-it drops what lies deeper than its nesting limit (20); past MAX_NESTING (or
# where the parser's recursion runs out) the lines it left are read as prose, prefixes cut.
MAX_NESTING = 100
_PARSER.options["maxNesting"] = MAX_NESTING
LINE_BREAK = re.compile(r"\r\n|\r|\n")  # markdown-it's own line breaks
SKIPPED_BLOCKS = ("fence", "code_block", "html_block")

COMMENT = re.compile(r"<!--(.*?)-->", re.DOTALL)
FRONT_MATTER = re.compile(r"\A(---|\+\+\+)[ \t]*\n.*?\n\1[ \t]*(\n|\Z)", re.DOTALL)
# Container and block prefixes: indentation, quote markers, list bullets, heading hashes.
LINE_PREFIX = re.compile(r"[ \t]*(?:>[ \t]?)*[ \t]*(?:(?:[-*+]|\d{1,9}[.)])[ \t]+)?(?:#{1,6}(?:[ \t]+|$))?")
CLOSING_HASHES = re.compile(r"[ \t]+#+[ \t]*$")
SETEXT_OR_RULE = re.compile(r"^[ \t]*(=+|-+)[ \t]*$")
TABLE_DELIMITER = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")

INLINE = re.compile(
    r"""
    (?P<code>(?P<ticks>`+).+?(?P=ticks))
  | (?P<image>!\[[^\]]*\]\([^)]*\))
  | (?P<link>\[(?P<label>[^\]]*)\](?:\((?:[^()\s]|\([^)]*\))*(?:[ \t]+"[^"]*")?[ \t]*\)|\[[^\]]*\]))
  | (?P<autolink><(?:https?|ftp|mailto):[^>\s]*>)
  | (?P<comment><!--.*?-->)
  | (?P<tag></?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>)
  | (?P<url>(?:https?://|www\.)[^\s<>()\[\]]*[^\s<>()\[\].,;:!?'"])
  | (?P<escape>\\[!-/:-@\[-`{-~])
  | (?P<entity>&(?:[A-Za-z][A-Za-z0-9]{1,31}|\#[0-9]{1,7}|\#[xX][0-9A-Fa-f]{1,6});)
  | (?P<emphasis>\*+|~~|(?<![A-Za-z0-9])_+|_+(?![A-Za-z0-9]))
  | (?P<pipe>\|)
    """,
    re.VERBOSE,
)


def _scan_inline(builder: DocumentBuilder, source: str, start: int, end: int) -> None:
    pos = start
    for match in INLINE.finditer(source, start, end):
        builder.copy(pos, match.start())
        kind = match.lastgroup
        if kind == "link":
            label_start, label_end = match.span("label")
            _scan_inline(builder, source, label_start, label_end)
        elif kind == "escape":
            builder.replace(match.start(), match.end(), match.group()[1])
        elif kind == "entity":
            builder.replace(match.start(), match.end(), html.unescape(match.group()))
        elif kind == "pipe":
            builder.separator(match.start(), "\n")
        pos = match.end()
    builder.copy(pos, end)


def read_markdown(path: str, source: str) -> Document:
    # each line's (start, end of its text), for \n, \r\n and lone \r alike
    lines, pos = [], 0
    for match in LINE_BREAK.finditer(source):
        lines.append((pos, match.start()))
        pos = match.end()
    lines.append((pos, len(source)))

    def line_span(line: int) -> tuple[int, int]:
        return lines[min(line, len(lines) - 1)]

    front = FRONT_MATTER.match(source)
    first_body_line = len(LINE_BREAK.findall(source, 0, front.end())) if front else 0

    builder = DocumentBuilder(path, source)
    try:
        tokens = _PARSER.parse(source)
        overflowed = any(t.level >= MAX_NESTING - 1 for t in tokens)
    except RecursionError:
        tokens, overflowed = [], True
    skipped = {line for t in tokens if t.type in SKIPPED_BLOCKS and t.map for line in range(*t.map)}
    ignore_next_block = None  # the rules the next block's suppression silences
    ignored_until_line, ignored_rules = -1, frozenset()
    off_since = None  # where an `unspin: off` range began in the checked text
    done_lines: set[int] = set()
    for token in [] if overflowed else tokens:
        if token.map is None:
            continue
        first, last = token.map
        if token.level == 0 and token.nesting >= 0:
            if token.type == "html_block":
                directives = [d for d in map(comment_directive, COMMENT.findall(token.content)) if d]
                for kind, rules in directives:
                    if kind == "ignore":
                        ignore_next_block = rules
                    elif kind == "off" and off_since is None:
                        off_since = len(builder)
                    elif kind == "on" and off_since is not None:
                        builder.ignored.append((off_since, len(builder), frozenset()))
                        off_since = None
                if directives:
                    continue
            if ignore_next_block is not None:
                ignored_until_line, ignored_rules = last, ignore_next_block
                ignore_next_block = None
        if token.type != "inline" or first < first_body_line:
            continue
        block_start = len(builder)
        for line in range(first, last):
            if line in done_lines:
                continue
            done_lines.add(line)
            begin, finish = line_span(line)
            text = source[begin:finish]
            if SETEXT_OR_RULE.match(text) or TABLE_DELIMITER.match(text):
                continue
            begin += LINE_PREFIX.match(text).end()
            hashes = CLOSING_HASHES.search(source, begin, finish)
            if hashes:
                finish = hashes.start()
            _scan_inline(builder, source, begin, finish)
            builder.separator(finish, "\n")
        builder.separator(line_span(last - 1)[1])
        if first < ignored_until_line:
            builder.ignored.append((block_start, len(builder), ignored_rules))
    if overflowed:
        for line in range(first_body_line, len(lines)):
            begin, finish = line_span(line)
            if line in skipped or not LETTERS.search(source, begin, finish):
                continue
            begin += _nested_prefix(source, begin, finish)
            _scan_inline(builder, source, begin, finish)
            builder.separator(finish, "\n")
    if off_since is not None:
        builder.ignored.append((off_since, len(builder), frozenset()))
    return builder.build()


def _nested_prefix(source: str, begin: int, finish: int) -> int:
    """The length of a line's container prefixes however deep (LINE_PREFIX takes one list
    marker)."""
    pos = begin
    while (step := LINE_PREFIX.match(source, pos, finish).end()) > pos:
        pos = step
    return pos - begin
