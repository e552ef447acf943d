"""Findings and suggestions: what detectors report, in checked-text offsets first and
source offsets once the pipeline has placed them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Rule:
    """An entry of the rule catalogue (rules.py): what a finding is a finding of."""

    code: str
    name: str
    severity: str
    summary: str
    safe_fix: bool = False  # its suggestion is a certain repair (Suggestion.safe)
    issue_type: str = "uncategorized"  # LanguageTool's name for its kind (an ITS issue type)


SEVERITIES = ("info", "warning", "error")
TABLE_SOURCE = "table"  # the mapping tables' findings: listed phrases
MODEL_SOURCE = "model"  # the span classifier's
CHANNEL_SOURCE = "channel"  # detectors/channel.py's, which carry their own first suggestion


def severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity)


@dataclass
class Suggestion:
    text: str
    score: float
    # Safe: certain to restore the text (a hand-made or user's table entry, a certain
    # quality repair), so `unspin fix` applies it; otherwise a guess, applied only with
    # --unsafe-fixes.
    safe: bool = False

    def to_dict(self) -> dict:
        return {"text": self.text, "score": round(self.score, 4), "safe": self.safe}


# A finding's fields as reports show them, in their order (the checked span is internal).
REPORTED = ("rule", "severity", "start", "end", "line", "column", "end_line", "end_column", "text", "score", "source", "message", "suggestions")


@dataclass
class Finding:
    rule: str
    severity: str
    start: int
    end: int
    score: float
    source: str
    message: str
    suggestions: list[Suggestion] = field(default_factory=list)
    # Filled in by the pipeline when the span is mapped back to the source file.
    text: str = ""
    line: int = 0
    column: int = 0
    end_line: int = 0
    end_column: int = 0
    # The span in the checked text (before markup was mapped back), for fixes.
    checked_start: int = 0
    checked_end: int = 0

    def to_dict(self) -> dict:
        """The finding as reports show it: the fields of REPORTED, score rounded."""
        data = {name: getattr(self, name) for name in REPORTED}
        data["score"] = round(self.score, 4)
        data["suggestions"] = [s.to_dict() for s in self.suggestions]
        return data

    def to_record(self) -> dict:
        """Every field, unrounded, the checked span included: what the result cache and
        worker processes pass on, so that a fix planned from it is the fix planned from
        the finding itself."""
        return asdict(self)


def finding_from_dict(data: dict) -> Finding:
    """The inverse of `Finding.to_dict` and of `Finding.to_record`."""
    fields = {k: v for k, v in data.items() if k != "suggestions"}
    return Finding(**fields, suggestions=[Suggestion(**s) for s in data["suggestions"]])


def merge_overlapping(findings: list[Finding]) -> list[Finding]:
    """Merge findings of the same rule whose spans overlap (table and model, say) into one.

    The merged finding spans both, keeps the strongest severity and score, the union of
    suggestions (best first, no repeats), and the source and message of the stronger one,
    unless one is a listed table entry: then the table's, since a listed phrase is known
    rather than guessed.
    """
    merged: list[Finding] = []
    for finding in sorted(findings, key=lambda f: (f.start, -f.end)):
        last = merged[-1] if merged else None
        if last and finding.start < last.end and finding.rule == last.rule:
            stronger, weaker = (last, finding) if last.score >= finding.score else (finding, last)
            named = next((f for f in (last, finding) if f.source == TABLE_SOURCE), stronger)
            suggestions: dict[str, Suggestion] = {}
            for suggestion in [*stronger.suggestions, *weaker.suggestions]:
                key, seen = suggestion.text.lower(), suggestions.get(suggestion.text.lower())
                if seen is None:
                    suggestions[key] = suggestion
                else:  # the higher score, and safe when either says so (a listed entry)
                    best = seen if seen.score >= suggestion.score else suggestion
                    suggestions[key] = Suggestion(best.text, best.score, seen.safe or suggestion.safe)
            merged[-1] = Finding(
                rule=stronger.rule,
                severity=max(last.severity, finding.severity, key=severity_rank),
                start=min(last.start, finding.start),
                end=max(last.end, finding.end),
                score=stronger.score,
                source=named.source,
                message=named.message,
                suggestions=sorted(suggestions.values(), key=lambda s: -s.score),
            )
        else:
            merged.append(finding)
    return merged
