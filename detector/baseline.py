"""Baselines: record today's findings once, then report only new ones.

A finding is known by its file (relative to the baseline file's folder), rule, text and
context: a hash of up to three words either side of it on its own line. Edits to other
lines, lines moved up or down and changed line endings keep a finding known; rewording the
words around it makes it new, since it may then be a different error. Each recorded finding excuses one
finding (two identical phrases in the same context need two entries).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from pathlib import Path

from detector import atomic
from detector.findings import Finding
from detector.pipeline import FileResult

VERSION = 1
CONTEXT_WORDS = 3
CONTEXT_CHARS = 200
WORD = re.compile(r"\w+")


class BaselineError(Exception):
    pass


def _where(path: str, folder: Path) -> str:
    if path == "-" or path.startswith("<"):
        return path
    return Path(os.path.relpath(os.path.abspath(path), folder)).as_posix()


def _context(source: str, finding: Finding) -> str:
    line_start = source.rfind("\n", 0, finding.start) + 1
    line_end = source.find("\n", finding.end)
    line_end = len(source) if line_end == -1 else line_end
    before = WORD.findall(source[max(line_start, finding.start - CONTEXT_CHARS) : finding.start])[-CONTEXT_WORDS:]
    after = WORD.findall(source[finding.end : min(line_end, finding.end + CONTEXT_CHARS)])[:CONTEXT_WORDS]
    words = " ".join(before).lower() + "|" + " ".join(after).lower()
    return hashlib.sha1(words.encode("utf-8")).hexdigest()[:16]


def _key(path: str, finding: Finding, source: str) -> tuple[str, str, str, str]:
    return path, finding.rule, " ".join(finding.text.split()), _context(source, finding)


def write_baseline(file: Path, results: list[FileResult], sources: dict[str, str]) -> int:
    """Record every finding of `results` in `file` (atomically); returns how many."""
    folder = file.resolve().parent
    entries = sorted(
        _key(_where(result.path, folder), finding, sources.get(result.path, ""))
        for result in results
        for finding in result.findings
    )
    document = {"version": VERSION, "findings": [dict(zip(("path", "rule", "text", "context"), entry)) for entry in entries]}
    atomic.write_text(file, json.dumps(document, ensure_ascii=False, indent=1) + "\n")
    return len(entries)


class Baseline:
    """The findings recorded in a baseline file, each excusing one finding."""

    def __init__(self, file: Path):
        self.folder = file.resolve().parent
        try:
            document = json.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise BaselineError(f"{file}: baseline file not found") from None
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise BaselineError(f"{file}: not a baseline file: {getattr(error, 'strerror', None) or error}") from None
        if not isinstance(document, dict) or document.get("version") != VERSION or not isinstance(document.get("findings"), list):
            raise BaselineError(f"{file}: not a baseline file (one written by unspin check --write-baseline, version {VERSION})")
        try:
            self.known = Counter((e["path"], e["rule"], e["text"], e["context"]) for e in document["findings"])
        except (KeyError, TypeError):
            raise BaselineError(f"{file}: not a baseline file: an entry lacks path, rule, text or context") from None

    def drop_known(self, results: list[FileResult], sources: dict[str, str]) -> int:
        """Remove the recorded findings from `results`; returns how many were removed."""
        left = Counter(self.known)
        dropped = 0
        for result in results:
            kept = []
            for finding in result.findings:
                key = _key(_where(result.path, self.folder), finding, sources.get(result.path, ""))
                if left[key] > 0:
                    left[key] -= 1
                    dropped += 1
                else:
                    kept.append(finding)
            result.findings = kept
        return dropped
