"""Text-quality rules beside spin: artifacts that spinners and scrapers leave and that a
human eye misses. Each rule is its own module with a docstring giving its rationale,
a `RULE` (code, name, severity, summary) and `check(text) -> list[Finding]`; together
they are one detector, in which each rule can be disabled.
"""

from __future__ import annotations

from detector.document import Document
from detector.detectors import PerDocument
from detector.findings import Finding
from detector.detectors.quality import boilerplate, doubled_word, fused_sentence, invisible, junk_suffix, mixed_script, mojibake, stray_entity

RULE_MODULES = (mixed_script, mojibake, junk_suffix, stray_entity, invisible, fused_sentence, boilerplate, doubled_word)
QUALITY_RULES = [module.RULE for module in RULE_MODULES]


class QualityDetector(PerDocument):
    name = "quality"

    def __init__(self, disabled: set[str] | frozenset[str] = frozenset()):
        self.modules = [m for m in RULE_MODULES if m.RULE.code not in disabled]
        self.version = ",".join(m.RULE.code for m in self.modules)

    def detect(self, doc: Document) -> list[Finding]:
        return [f for module in self.modules for f in module.check(doc.text)]
