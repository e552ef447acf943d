"""GitHub Actions workflow commands: one `::error`/`::warning`/`::notice` annotation per finding."""

from __future__ import annotations

from detector.reporters import Report

LEVELS = {"error": "error", "warning": "warning", "info": "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report) -> str:
    lines = []
    for result in report.results:
        path = _escape_property(result.path)
        if result.error:
            lines.append(f"::error file={path},title=unspin::{_escape_data(result.error)}")
        for f in result.findings:
            properties = f"file={path},line={f.line},col={f.column},endLine={f.end_line},endColumn={f.end_column}"
            title = _escape_property(f"{f.rule} {f.text}")
            message = f.message + (f' → "{f.suggestions[0].text}"' if f.suggestions else "")
            lines.append(f"::{LEVELS[f.severity]} {properties},title={title}::{_escape_data(message)}")
    return "".join(line + "\n" for line in lines)
