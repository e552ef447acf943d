"""SARIF 2.1.0 for code-scanning tools: every rule in the driver, one result per finding.

Columns count Unicode code points (`columnKind: unicodeCodePoints`), matching the JSON
report; paths are relative URIs against `%SRCROOT%` (the working folder).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from detector.reporters import Report
from detector.rules import all_rules, details

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _uri(path: str) -> str:
    if path == "-":
        return "stdin"
    candidate = Path(path)
    if candidate.is_absolute():
        try:
            candidate = candidate.relative_to(Path.cwd())
        except ValueError:
            return candidate.as_uri()
    return Path(os.path.normpath(candidate)).as_posix()


def render(report: Report) -> str:
    rules = all_rules()
    index = {rule.code: i for i, rule in enumerate(rules)}
    results, notifications = [], []
    for result in report.results:
        location = {"uri": _uri(result.path), "uriBaseId": "%SRCROOT%"}
        if result.error:
            notifications.append(
                {
                    "level": "error",
                    "message": {"text": f"{result.path}: {result.error}"},
                    "locations": [{"physicalLocation": {"artifactLocation": location}}],
                }
            )
        for f in result.findings:
            entry = {
                "ruleId": f.rule,
                "ruleIndex": index.get(f.rule, -1),
                "level": LEVELS[f.severity],
                "message": {"text": f.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": location,
                            "region": {
                                "startLine": f.line,
                                "startColumn": f.column,
                                "endLine": f.end_line,
                                "endColumn": f.end_column,
                                "charOffset": f.start,
                                "charLength": f.end - f.start,
                                "snippet": {"text": f.text},
                            },
                        }
                    }
                ],
                "properties": {"score": round(f.score, 4), "source": f.source},
            }
            if f.suggestions:
                entry["fixes"] = [
                    {
                        "description": {"text": f'Replace with "{s.text}"'},
                        "properties": {"safe": s.safe},
                        "artifactChanges": [
                            {
                                "artifactLocation": location,
                                "replacements": [
                                    {
                                        "deletedRegion": {"charOffset": f.start, "charLength": f.end - f.start},
                                        "insertedContent": {"text": s.text},
                                    }
                                ],
                            }
                        ],
                    }
                    for s in f.suggestions[:1]
                ]
            results.append(entry)
    run = {
        "tool": {
            "driver": {
                "name": "unspin",
                "version": report.tool_version,
                "informationUri": "https://pypi.org/project/unspin/",
                "rules": [
                    {
                        "id": rule.code,
                        "name": rule.name,
                        "shortDescription": {"text": rule.summary},
                        "fullDescription": {"text": details(rule)},
                        "defaultConfiguration": {"level": LEVELS[rule.severity]},
                    }
                    for rule in rules
                ],
            }
        },
        "columnKind": "unicodeCodePoints",
        "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().as_uri() + "/"}},
        "invocations": [
            {"executionSuccessful": not notifications, "toolExecutionNotifications": notifications}
        ],
        "results": results,
    }
    sarif = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(sarif, ensure_ascii=False, indent=2) + "\n"
