"""The JSON contract: one object with every file, its findings and a summary (version 1)."""

from __future__ import annotations

import json

from detector.reporters import Report

CONTRACT_VERSION = 1


def document(report: Report) -> dict:
    """The contract's object (the server's /api/check answers it too)."""
    return {
        "version": CONTRACT_VERSION,
        "files": [result.to_dict() for result in report.results],
        "summary": report.summary,
    }


def render(report: Report) -> str:
    return json.dumps(document(report), ensure_ascii=False, indent=2) + "\n"
