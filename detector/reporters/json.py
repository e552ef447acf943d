"""The JSON contract: one object with every file, its findings and a summary (version 1)."""

from __future__ import annotations

import json

from detector.reporters import Report

CONTRACT_VERSION = 1


def render(report: Report) -> str:
    document = {
        "version": CONTRACT_VERSION,
        "files": [result.to_dict() for result in report.results],
        "summary": report.summary,
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
