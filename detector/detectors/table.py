"""SPUN001 from the mapping tables: a listed spun phrase. Its canonical terms become
suggestions in the suggester (suggest/sources/table.py), as every finding's do."""

from __future__ import annotations

from detector.document import Document
from detector.findings import TABLE_SOURCE, Finding
from detector.rules import SPUN_PHRASE
from detector.detectors import PerDocument
from detector.tables import MappingTable

ERROR_SCORE = 0.9


class TableDetector(PerDocument):
    name = TABLE_SOURCE

    def __init__(self, table: MappingTable):
        self.table = table
        self.version = table.version

    def detect(self, doc: Document) -> list[Finding]:
        findings = []
        for match in self.table.find(doc.text):
            findings.append(
                Finding(
                    rule=SPUN_PHRASE.code,
                    severity="error" if match.entry.score >= ERROR_SCORE else "warning",
                    start=match.start,
                    end=match.end,
                    score=match.entry.score,
                    source=self.name,
                    message=f"spun phrase listed in the {match.entry.source} table",
                )
            )
        return findings
