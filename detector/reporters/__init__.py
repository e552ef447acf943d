"""Reporters: one module per output format, each with `render(report) -> str`."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from detector.findings import SEVERITIES
from detector.pipeline import FileResult

FORMATS = ("text", "concise", "json", "jsonl", "sarif", "github", "html")


@dataclass
class Report:
    results: list[FileResult]
    color: bool = False
    tool_version: str = ""
    # Each checked file's decoded text by path, for reports that show the text itself.
    sources: dict[str, str] = field(default_factory=dict)
    # Findings left out because a baseline file records them.
    baselined: int = 0
    summary: dict = field(init=False)

    def style(self, text: str, **styles) -> str:
        """`text` in click's terminal styles where the report is coloured."""
        import click

        return click.style(text, **styles) if self.color else text

    def __post_init__(self):
        counts = {severity: 0 for severity in SEVERITIES}
        for result in self.results:
            for finding in result.findings:
                counts[finding.severity] += 1
        self.summary = {
            "files": len(self.results),
            "files_with_findings": sum(1 for r in self.results if r.findings),
            "errors": sum(1 for r in self.results if r.error),
            "words": sum(r.words for r in self.results),
            "findings": sum(counts.values()),
            "by_severity": counts,
            "baselined": self.baselined,
        }


def render(fmt: str, report: Report) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    module = importlib.import_module(f"detector.reporters.{fmt}")
    return module.render(report)
