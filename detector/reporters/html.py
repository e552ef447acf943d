"""One self-contained HTML page for a run: per file its score, its text with the findings
marked in place, and a table of findings with their ranked suggestions.

The page has no scripts and no external assets, so it reads the same offline, attached to
a CI run or mailed. Every piece of checked text is escaped: a file's own markup is shown,
never rendered.
"""

from __future__ import annotations

from html import escape

from detector.findings import Finding
from detector.pipeline import FileResult
from detector.reporters import Report

STYLE = """
body { font: 15px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #222; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.1rem; margin-top: 2.5rem; word-break: break-all; }
table { border-collapse: collapse; width: 100%; margin: .8rem 0; }
th, td { border-bottom: 1px solid #ddd; padding: .3rem .5rem; text-align: left; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
pre.text { white-space: pre-wrap; word-wrap: break-word; background: #fafafa; border: 1px solid #ddd; padding: .8rem; font: 14px/1.6 ui-monospace, monospace; }
mark { border-radius: 2px; padding: 0 1px; }
mark.error { background: #f8c4c4; } mark.warning { background: #fbe3a6; } mark.info { background: #cfe3fb; }
.severity { font-weight: 600; } .severity.error { color: #a00; } .severity.warning { color: #8a5a00; } .severity.info { color: #1a5490; }
.failed { color: #a00; }
"""


def _suggestions(finding: Finding) -> str:
    if not finding.suggestions:
        return "—"
    return "<br>".join(f"{escape(s.text)} <small>({s.score:.2f}{', safe' if s.safe else ''})</small>" for s in finding.suggestions)


def _marked(text: str, findings: list[Finding], index: int) -> str:
    """`text` escaped, each finding wrapped in a <mark>; a span overlapping an earlier one
    starts where that one ends, so every character appears exactly once."""
    parts, at = [], 0
    for number, finding in sorted(enumerate(findings, 1), key=lambda item: (item[1].start, -item[1].end)):
        start, end = max(finding.start, at), min(finding.end, len(text))
        if start >= end:
            continue
        parts.append(escape(text[at:start]))
        title = f"{finding.rule}: {finding.message}"
        if finding.suggestions:
            title += f" → {finding.suggestions[0].text}"
        parts.append(
            f'<mark class="{finding.severity}" id="f{index}-{number}" data-rule="{escape(finding.rule)}" '
            f'title="{escape(title)}">{escape(text[start:end])}</mark>'
        )
        at = end
    parts.append(escape(text[at:]))
    return "".join(parts)


def _file(index: int, result: FileResult, source: str | None) -> str:
    out = [f'<section class="file" id="file-{index}">', f"<h2>{escape(result.path)}</h2>"]
    if result.error:
        out.append(f'<p class="failed">Not checked: {escape(result.error)}</p></section>')
        return "\n".join(out)
    out.append(f'<p>Score <span class="score">{result.score:.2f}</span> · {result.words:,} words · {len(result.findings)} findings</p>')
    if source is not None:
        out.append(f'<pre class="text">{_marked(source, result.findings, index)}</pre>')
    out.append('<table class="findings"><thead><tr><th>Line:col</th><th>Rule</th><th>Severity</th><th>Text</th>'
               '<th>Suggestions</th><th class="num">Score</th><th>Message</th></tr></thead><tbody>')
    for f in result.findings:
        out.append(
            f'<tr><td>{f.line}:{f.column}</td><td>{escape(f.rule)}</td><td class="severity {f.severity}">{f.severity}</td>'
            f'<td class="text">{escape(f.text)}</td><td class="suggestions">{_suggestions(f)}</td>'
            f'<td class="num">{f.score:.2f}</td><td>{escape(f.message)}</td></tr>'
        )
    out.append("</tbody></table></section>")
    return "\n".join(out)


def render(report: Report) -> str:
    summary = report.summary
    shown = [(i, r) for i, r in enumerate(report.results) if r.findings or r.error]
    rows = "\n".join(
        f'<tr><td><a href="#file-{i}">{escape(r.path)}</a></td><td class="num">{r.words:,}</td>'
        f'<td class="num">{r.score:.2f}</td><td class="num">{len(r.findings)}</td>'
        f'<td>{"<span class=failed>" + escape(r.error) + "</span>" if r.error else ""}</td></tr>'
        for i, r in enumerate(report.results)
    )
    counts = ", ".join(f"{n} {severity}" for severity, n in reversed(summary["by_severity"].items()) if n) or "none"
    body = "\n".join(_file(i, r, report.sources.get(r.path)) for i, r in shown)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="unspin {escape(report.tool_version)}">
<title>unspin report: {summary['findings']} findings in {summary['files']} files</title>
<style>{STYLE}</style></head><body>
<h1>unspin report</h1>
<p id="summary">{summary['findings']} findings ({counts}) in {summary['files']} files, {summary['words']:,} words;
{summary['files_with_findings']} files with findings, {summary['errors']} not checked.</p>
<table class="files"><thead><tr><th>File</th><th class="num">Words</th><th class="num">Score</th><th class="num">Findings</th><th>Error</th></tr></thead>
<tbody>
{rows}
</tbody></table>
{body}
</body></html>
"""
