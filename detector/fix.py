"""Applying suggestions to source files: planning edits that leave markup alone, and
writing files atomically.

A fix replaces the finding's source text with its best suggestion. When markup sits
inside the flagged span ("Unfamiliar</em> Clergyman"), the suggestion is applied word
by word to the visible words, keeping the markup between them; when the word counts
differ, the fix is skipped rather than guessed.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from detector.document import Document
from detector.findings import Finding

WORD = re.compile(r"\S+")


class FixError(Exception):
    """A fix that cannot be written; the message names the reason."""


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    replacement: str


def plan_edits(doc: Document, findings: list[Finding], min_score: float) -> tuple[list[Edit], int]:
    """Non-overlapping source edits for findings at or above `min_score`; also the number skipped."""
    edits: list[Edit] = []
    skipped = 0
    taken_until = -1
    for finding in sorted(findings, key=lambda f: (f.start, -f.score)):
        if finding.score < min_score or not finding.suggestions or finding.start < taken_until:
            continue
        replacement = finding.suggestions[0].text
        visible = doc.text[finding.checked_start : finding.checked_end]
        if doc.source[finding.start : finding.end] == visible:
            planned = [Edit(finding.start, finding.end, replacement)]
        else:
            planned = _word_edits(doc, finding, replacement)
            if planned is None:
                skipped += 1
                continue
        edits += planned
        taken_until = finding.end
    return edits, skipped


def _word_edits(doc: Document, finding: Finding, replacement: str) -> list[Edit] | None:
    words = [(finding.checked_start + m.start(), finding.checked_start + m.end()) for m in WORD.finditer(doc.text[finding.checked_start : finding.checked_end])]
    new_words = replacement.split()
    if len(words) != len(new_words):
        return None
    edits = []
    for (start, end), new in zip(words, new_words):
        source_start, source_end = doc.to_source(start, end)
        if doc.source[source_start:source_end] != doc.text[start:end]:
            return None  # markup or an entity inside one word: leave it to the editor
        edits.append(Edit(source_start, source_end, new))
    return edits


def apply_edits(source: str, edits: list[Edit]) -> str:
    pieces, pos = [], 0
    for edit in sorted(edits, key=lambda e: e.start):
        pieces += [source[pos : edit.start], edit.replacement]
        pos = edit.end
    return "".join(pieces) + source[pos:]


def unified_diff(path: str, before: str, after: str) -> str:
    return "".join(
        difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{path.lstrip('/')}", f"b/{path.lstrip('/')}")
    )


def write_atomic(path: Path, text: str, encoding: str, original: bytes) -> None:
    """Replace `path` with `text` all at once, keeping its permissions.

    The new content goes to a temporary file in the same folder, is flushed to disk and
    renamed over the original, so a reader (or a crash) sees either the old file or the
    new one, never half of it. A file that changed since it was read is not touched.
    """
    data = text.encode(encoding)
    folder = path.parent
    mode = stat.S_IMODE(path.stat().st_mode)
    handle = tempfile.NamedTemporaryFile(dir=folder, prefix=f".{path.name}.", suffix=".unspin-tmp", delete=False)
    try:
        with handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(handle.name, mode)
        if path.read_bytes() != original:
            raise FixError("file changed since it was read; not written")
        os.replace(handle.name, path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
