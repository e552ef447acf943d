"""JSON Lines: one object per file (the same shape as a `files` item of the JSON report)."""

from __future__ import annotations

import json

from detector.reporters import Report


def render(report: Report) -> str:
    return "".join(json.dumps(result.to_dict(), ensure_ascii=False) + "\n" for result in report.results)
