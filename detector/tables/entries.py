"""A table entry (a spun phrase and its canonical terms) and the error a table that cannot
be read raises: what the table readers (importers.py) and the table itself share."""

from __future__ import annotations

from dataclasses import dataclass


class TableError(ValueError):
    """A table file that cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class Entry:
    spun: str
    canonical: tuple[str, ...]
    source: str
    notes: str = ""
    score: float = 0.97
