"""Detectors read a `Document` and return findings in checked-text offsets.

Each detector is a small class with a `name` and `detect(doc)`; detectors that gain
from batching across documents (the model) also implement `detect_many(docs)`.
The pipeline calls `detect_many` on all of them.
"""

from __future__ import annotations

from typing import Protocol

from detector.document import Document
from detector.findings import Finding


class Detector(Protocol):
    name: str

    def detect_many(self, docs: list[Document]) -> list[list[Finding]]: ...


class PerDocument:
    """Mixin for detectors that look at one document at a time."""

    name = "?"

    def detect(self, doc: Document) -> list[Finding]:
        raise NotImplementedError

    def detect_many(self, docs: list[Document]) -> list[list[Finding]]:
        return [self.detect(doc) for doc in docs]
