"""The one-line form (`--format concise`): a line per finding, then the summary line;
for scripts and grep."""

from __future__ import annotations

from detector.reporters import Report

SEVERITY_COLORS = {"error": "red", "warning": "yellow", "info": "blue"}


def render(report: Report) -> str:
    style = report.style
    lines = []
    for result in report.results:
        if result.error:
            lines.append(f"{result.path}: {style('error', fg='red', bold=True)}: {result.error}")
        for finding in result.findings:
            where = style(f"{result.path}:{finding.line}:{finding.column}:", bold=True)
            severity = style(f"[{finding.severity}]", fg=SEVERITY_COLORS[finding.severity])
            quoted = '"' + " ".join(finding.text.split()) + '"'
            arrow = f' → "{finding.suggestions[0].text}"' if finding.suggestions else ""
            lines.append(f"{where} {finding.rule} {severity} {quoted}{arrow} ({finding.score:.2f}) {finding.message}")
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def summary_line(report: Report) -> str:
    summary = report.summary
    counts = ", ".join(f"{n} {severity}" for severity, n in reversed(summary["by_severity"].items()) if n)
    line = f"{summary['findings']} finding{'s' if summary['findings'] != 1 else ''}"
    line += f" ({counts})" if counts else ""
    line += f" in {summary['files']} file{'s' if summary['files'] != 1 else ''}, {summary['words']:,} words"
    if summary["baselined"]:
        line += f"; {summary['baselined']} known from the baseline not shown"
    if summary["errors"]:
        line += f"; {summary['errors']} file{'s' if summary['errors'] != 1 else ''} could not be checked"
    return line
