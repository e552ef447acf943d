"""The text report (the default), as ruff shows findings: the finding's line, then the
source line with the span underlined and the first suggestion under it, then the summary
and how many findings `unspin fix` would mend. `--format concise` keeps one line a
finding."""

from __future__ import annotations

from detector.reporters import Report
from detector.reporters.concise import SEVERITY_COLORS, summary_line

WIDTH = 100  # characters of a long source line shown around the span


def render(report: Report) -> str:
    style = report.style
    lines = []
    safe = unsafe = 0
    for result in report.results:
        if result.error:
            lines.append(f"{result.path}: {style('error', fg='red', bold=True)}: {result.error}")
        source = report.sources.get(result.path)
        for finding in result.findings:
            where = style(f"{result.path}:{finding.line}:{finding.column}:", bold=True)
            severity = style(f"[{finding.severity}]", fg=SEVERITY_COLORS[finding.severity])
            lines.append(f"{where} {finding.rule} {severity} {finding.message} ({finding.score:.2f})")
            if source is not None:
                lines += _excerpt(source, finding, style(f"{finding.line} |", fg="blue", bold=True), style, SEVERITY_COLORS[finding.severity])
            if finding.suggestions:
                first = finding.suggestions[0]
                label = "fix" if first.safe else "suggestion"
                lines.append(f"{' ' * len(str(finding.line))} = {label}: \"{first.text}\"")
                safe += first.safe
                unsafe += not first.safe
            lines.append("")
    lines.append(summary_line(report))
    if safe or unsafe:
        more = f" ({unsafe} more with `--unsafe-fixes`)" if unsafe else ""
        lines.append(f"{safe} fixable with `unspin fix`{more}")
    return "\n".join(lines) + "\n"


def _excerpt(source: str, finding, gutter: str, style, color: str) -> list[str]:
    """The finding's first line, windowed to WIDTH around the span, and a caret line under
    the span (to the line's end where it runs on)."""
    line_start = source.rfind("\n", 0, finding.start) + 1
    line_end = source.find("\n", finding.start)
    line = source[line_start : len(source) if line_end < 0 else line_end].rstrip("\r")
    start = finding.start - line_start
    end = min(finding.end - line_start, len(line))
    left = max(0, min(start - (WIDTH - (end - start)) // 2, len(line) - WIDTH))
    shown = line[left : left + WIDTH]
    prefix = "…" if left > 0 else ""
    suffix = "…" if left + WIDTH < len(line) else ""
    carets = " " * (len(prefix) + start - left) + "^" * max(1, min(end, left + WIDTH) - start)
    blank = " " * (len(gutter) - 1) + "|"
    return [
        style(blank, fg="blue", bold=True),
        f"{gutter} {prefix}{shown.expandtabs(1)}{suffix}",
        f"{style(blank, fg='blue', bold=True)} {style(carets, fg=color, bold=True)}",
    ]
