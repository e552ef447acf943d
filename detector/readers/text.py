"""Plain-text reader: the checked text is the source itself.

A line containing `unspin: ignore-line` is suppressed.
"""

from __future__ import annotations

import re

from detector.document import Document

IGNORE_LINE = re.compile(r"^.*unspin: ignore-line.*$", re.MULTILINE)


def read_text(path: str, source: str) -> Document:
    doc = Document.plain(path, source)
    doc.ignored = [(m.start(), m.end()) for m in IGNORE_LINE.finditer(source)]
    return doc
