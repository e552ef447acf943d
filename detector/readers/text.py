"""Plain-text reader: the checked text is the source itself (its suppressions,
`unspin: ignore-line` and the like, are the ones every format shares: detector/suppress.py)."""

from __future__ import annotations

from detector.document import Document


def read_text(path: str, source: str) -> Document:
    return Document.plain(path, source)
