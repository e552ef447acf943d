"""The `Document`: the text detectors read, plus a map from it back to the source file.

Readers strip markup (Markdown syntax, HTML tags, code) and decode entities, so the
checked text differs from the source. Every checked character remembers the source
span it came from; a finding on checked text maps back to exact source offsets, and
its reported text is always `source[start:end]`.
"""

from __future__ import annotations

import bisect
import re
from array import array
from dataclasses import dataclass, field

from detector.suppress import covers

TAG = re.compile(r"<[^<>]*>")
# Skipped source that is more than white space, emphasis marks and quote prefixes.
SKIPPED_CONTENT = re.compile(r"[^\s*_~>]")
WORD_CHARS = re.compile(r"\w")


@dataclass
class Document:
    path: str
    source: str
    text: str
    # Source span of each checked character; None means the identity map (plain text).
    src_starts: array | None = None
    src_ends: array | None = None
    # Checked-text ranges that detectors must not report on (inline suppressions), each
    # with the rules it silences (empty: all).
    ignored: list[tuple[int, int, frozenset[str]]] = field(default_factory=list)
    _line_starts: list[int] | None = field(default=None, repr=False)

    @classmethod
    def plain(cls, path: str, source: str) -> "Document":
        return cls(path=path, source=source, text=source)

    def to_source(self, start: int, end: int) -> tuple[int, int]:
        """Map a checked-text span [start, end) to a source span."""
        if self.src_starts is None:
            return start, end
        if end <= start:
            pos = self.src_starts[start] if start < len(self.src_starts) else len(self.source)
            return pos, pos
        return self.src_starts[start], self.src_ends[end - 1]

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column (in code points) of a source offset."""
        if self._line_starts is None:
            starts = [0]
            find = self.source.find
            pos = find("\n")
            while pos != -1:
                starts.append(pos + 1)
                pos = find("\n", pos + 1)
            self._line_starts = starts
        line = bisect.bisect_right(self._line_starts, offset) - 1
        # a byte-order mark is no column an editor shows
        bom = line == 0 and self.source.startswith("\ufeff") and offset > 0
        return line + 1, offset - self._line_starts[line] + 1 - bom

    def text_run(self, start: int, end: int) -> tuple[int, int]:
        """The part of checked span [start, end) that a reader sees as one run of text: a
        span crossing skipped content (inline code, a link target, a table cell border,
        hidden HTML) is cut there, and the part with the most word characters kept, its
        edges trimmed of white space. Skipped emphasis marks, tags and line prefixes do
        not cut: the words around them read as one phrase."""
        runs, run_start = [], start
        if self.src_starts is not None:
            for i in range(start, end - 1):
                gap_start, gap_end = self.src_ends[i], self.src_starts[i + 1]
                if gap_end > gap_start and SKIPPED_CONTENT.search(TAG.sub("", self.source[gap_start:gap_end])):
                    runs.append((run_start, i + 1))
                    run_start = i + 1
        runs.append((run_start, end))
        a, b = max(runs, key=lambda run: len(WORD_CHARS.findall(self.text, run[0], run[1])))
        while a < b and self.text[a].isspace():
            a += 1
        while b > a and self.text[b - 1].isspace():
            b -= 1
        return a, b

    def is_ignored(self, start: int, end: int, rule: str) -> bool:
        return any(start < ig_end and ig_start < end and covers(rules, rule) for ig_start, ig_end, rules in self.ignored)


class DocumentBuilder:
    """Assembles checked text piece by piece while recording where each piece came from."""

    def __init__(self, path: str, source: str):
        self.path = path
        self.source = source
        self._parts: list[str] = []
        self._length = 0
        self._starts = array("q")
        self._ends = array("q")
        self.ignored: list[tuple[int, int, frozenset[str]]] = []

    def __len__(self) -> int:
        return self._length

    def copy(self, start: int, end: int) -> None:
        """Append source[start:end] verbatim."""
        if end <= start:
            return
        self._parts.append(self.source[start:end])
        self._starts.extend(range(start, end))
        self._ends.extend(range(start + 1, end + 1))
        self._length += end - start

    def replace(self, start: int, end: int, text: str) -> None:
        """Append `text` standing for source[start:end] (a decoded entity, say)."""
        if not text:
            return
        self._parts.append(text)
        self._starts.extend([start] * len(text))
        self._ends.extend([end] * len(text))
        self._length += len(text)

    def separator(self, at: int, text: str = "\n\n") -> None:
        """Append synthetic text (a block break) placed at source offset `at`."""
        if self._length and "".join(self._parts[-1:]).endswith(text):
            return
        self.replace(at, at, text)

    def build(self) -> Document:
        return Document(
            path=self.path,
            source=self.source,
            text="".join(self._parts),
            src_starts=self._starts,
            src_ends=self._ends,
            ignored=self.ignored,
        )
