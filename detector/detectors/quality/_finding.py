"""Building quality findings: a fix becomes the single suggestion, safe when the rule's repair is certain."""

from __future__ import annotations

from detector.findings import Finding, Suggestion
from detector.findings import Rule


def finding(rule: Rule, start: int, end: int, message: str, fix: str | None = None, score: float = 1.0) -> Finding:
    return Finding(
        rule=rule.code,
        severity=rule.severity,
        start=start,
        end=end,
        score=score,
        source="quality",
        message=message,
        suggestions=[Suggestion(fix, score, rule.safe_fix)] if fix is not None else [],
    )
