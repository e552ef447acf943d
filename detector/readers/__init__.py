"""Readers turn a decoded source file into a `Document` of checkable text.

Each format has its own module; `read_document` picks one by file extension.
"""

from __future__ import annotations

from pathlib import PurePath

from detector.document import Document

MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}


def format_for(path: str) -> str:
    suffix = PurePath(path).suffix.lower()
    if suffix in MARKDOWN_SUFFIXES:
        return "markdown"
    if suffix in HTML_SUFFIXES:
        return "html"
    return "text"


def read_document(path: str, source: str, fmt: str | None = None) -> Document:
    fmt = fmt or format_for(path)
    if fmt == "markdown":
        from detector.readers.markdown import read_markdown

        return read_markdown(path, source)
    if fmt == "html":
        from detector.readers.html import read_html

        return read_html(path, source)
    from detector.readers.text import read_text

    return read_text(path, source)
