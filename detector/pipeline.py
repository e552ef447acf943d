"""The pipeline: documents → detectors → filters and merging → suggesters → placed findings.

It knows nothing of files or output formats: the CLI and the Python API hand it
`Document`s and get `FileResult`s back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from detector.config import Config
from detector.document import Document
from detector.findings import MODEL_SOURCE, Finding, finding_from_dict, merge_overlapping
from detector.rules import SPUN_PHRASE
from detector.suppress import covers, line_suppressions
from detector.words import COUNTED_WORD

QUOTED = re.compile(r'"[^"\n]{1,2000}"|“[^”\n]{1,2000}”')


@dataclass
class FileResult:
    path: str
    words: int = 0
    score: float = 0.0
    error: str | None = None
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "words": self.words,
            "score": round(self.score, 4),
            "error": self.error,
            "findings": [f.to_dict() for f in self.findings],
        }

    def to_record(self) -> dict:
        """`to_dict` unrounded, with each finding's `to_record` (see there)."""
        return {"path": self.path, "words": self.words, "score": self.score, "error": self.error, "findings": [f.to_record() for f in self.findings]}

    @classmethod
    def from_dict(cls, data: dict) -> FileResult:
        return cls(
            path=data["path"],
            words=data["words"],
            score=data["score"],
            error=data["error"],
            findings=[finding_from_dict(f) for f in data["findings"]],
        )


class Pipeline:
    def __init__(self, config: Config, detectors: list, suggesters: list | None = None, default_threshold: float = 0.5, screen: float | None = None):
        """Detectors marked `screened` (the language model's) run after the others; where
        `screen` is given, only on the documents in which those found a spun phrase scoring
        at least it. Where they run, the findings of detectors marked `superseded` (the
        span tagger's, kept as the screen) are dropped."""
        self.config = config
        self.screen = screen
        self.threshold = config.threshold if config.threshold is not None else default_threshold
        self.detectors = detectors
        self.suggesters = suggesters or []
        self._allow = [
            re.compile(r"\b" + r"[\s-]+".join(map(re.escape, phrase.split())) + r"\b", re.IGNORECASE)
            for phrase in config.allow
            if phrase.strip()
        ]

    @property
    def fingerprint(self) -> str:
        """What the results depend on besides the text: versions and configuration."""
        from detector import __version__
        from detector.cache import package_digest

        c = self.config
        parts = [__version__, package_digest(), str(self.threshold), str(self.screen), repr(sorted(c.select)), repr(sorted(c.disable)), repr(c.allow), str(c.skip_quotes)]
        parts += [f"{d.name}:{getattr(d, 'version', '')}" for d in self.detectors]
        parts += [getattr(s, "name", type(s).__name__) for s in self.suggesters]
        return "|".join(parts)

    def check(self, docs: list[Document]) -> list[FileResult]:
        per_doc: list[list[Finding]] = [[] for _ in docs]
        later = [d for d in self.detectors if getattr(d, "screened", False)]
        superseded = {d.name for d in self.detectors if getattr(d, "superseded", False)}
        for detector in [d for d in self.detectors if d not in later]:
            for found, new in zip(per_doc, detector.detect_many(docs)):
                found.extend(new)
        chosen = [i for i, found in enumerate(per_doc) if self.screen is None or max((f.score for f in found if f.rule == SPUN_PHRASE.code), default=0.0) >= self.screen]
        for i in chosen if later else []:
            per_doc[i] = [f for f in per_doc[i] if f.source not in superseded]
        for detector in later:
            for i, new in zip(chosen, detector.detect_many([docs[i] for i in chosen])):
                per_doc[i].extend(new)
        results = []
        for doc, found in zip(docs, per_doc):
            findings = merge_overlapping(self._keep(doc, found))
            for suggester in self.suggesters:
                suggester.suggest(doc, findings)
            for finding in findings:
                _name_original(doc, finding)
            results.append(self._result(doc, findings))
        return results

    def _keep(self, doc: Document, findings: list[Finding]) -> list[Finding]:
        blocked = [m.span() for pattern in self._allow for m in pattern.finditer(doc.text)]
        if self.config.skip_quotes:
            blocked += [m.span() for m in QUOTED.finditer(doc.text)]
        on_lines = line_suppressions(doc.source)
        kept = []
        for finding in findings:
            if finding.rule == SPUN_PHRASE.code:  # quality rules' spans are exact already
                run_start, run_end = doc.text_run(finding.start, finding.end)
                if run_start == run_end:  # nothing but skipped content and spaces
                    continue
                finding.start, finding.end = run_start, run_end
            if not self.config.reports(finding.rule):
                continue
            if finding.score < self._threshold(finding):
                continue
            if doc.is_ignored(finding.start, finding.end, finding.rule):
                continue
            if on_lines:
                src_start, src_end = doc.to_source(finding.start, finding.end)
                if any(src_start < line_end and line_start < src_end and covers(rules, finding.rule) for line_start, line_end, rules in on_lines):
                    continue
            if any(start <= finding.start and finding.end <= end for start, end in blocked):
                continue
            kept.append(finding)
        return kept

    def _threshold(self, finding: Finding) -> float:
        return self.threshold if finding.rule == SPUN_PHRASE.code else 0.0

    def _result(self, doc: Document, findings: list[Finding]) -> FileResult:
        for finding in findings:
            finding.checked_start, finding.checked_end = finding.start, finding.end
            finding.start, finding.end = doc.to_source(finding.start, finding.end)
            finding.text = doc.source[finding.start : finding.end]
            finding.line, finding.column = doc.line_col(finding.start)
            finding.end_line, finding.end_column = doc.line_col(finding.end)
        spin_scores = [f.score for f in findings if f.rule == SPUN_PHRASE.code]
        return FileResult(
            path=doc.path,
            words=len(COUNTED_WORD.findall(doc.text)),
            score=max(spin_scores, default=0.0),
            findings=sorted(findings, key=lambda f: (f.start, f.end, f.rule)),
        )


def _name_original(doc: Document, finding: Finding) -> None:
    """Say in a model finding's message what it likely stands for: editors reading the
    message alone (LanguageTool clients, annotations) then know what to check."""
    if finding.source == MODEL_SOURCE and finding.suggestions:
        phrase = " ".join(doc.text[finding.start : finding.end].split())
        finding.message = f"'{phrase}' reads as a synonym swap for '{finding.suggestions[0].text}'"
