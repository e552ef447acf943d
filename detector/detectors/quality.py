"""The quality rules (detector/quality/) as one detector; each rule can be disabled."""

from __future__ import annotations

from detector.document import Document
from detector.detectors import PerDocument
from detector.findings import Finding
from detector.quality import RULE_MODULES


class QualityDetector(PerDocument):
    name = "quality"

    def __init__(self, disabled: set[str] | frozenset[str] = frozenset()):
        self.modules = [m for m in RULE_MODULES if m.RULE.code not in disabled]
        self.version = ",".join(m.RULE.code for m in self.modules)

    def detect(self, doc: Document) -> list[Finding]:
        return [f for module in self.modules for f in module.check(doc.text)]
