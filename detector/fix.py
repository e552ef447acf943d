"""Applying suggestions to source files: planning edits that leave markup alone, and
writing files safely.

A fix replaces the finding's source text with its best suggestion. When markup sits
inside the flagged span ("Unfamiliar</em> Clergyman"), the suggestion is applied word
by word to the visible words, keeping the markup between them; when the word counts
differ, the fix is skipped rather than guessed.
"""

from __future__ import annotations

import codecs
import difflib
import errno
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from detector import atomic
from detector.document import Document
from detector.files import InputError, Target, decode, encoding_of, read_bytes
from detector.findings import Finding

WORD = re.compile(r"\S+")


class FixError(Exception):
    """A fix that cannot be written; the message names the reason."""


@dataclass(frozen=True)
class Edit:
    start: int
    end: int
    replacement: str


@dataclass(frozen=True)
class Fix:
    """One finding's fix: its chosen suggestion as source edits (one per word across markup)."""

    finding: Finding
    replacement: str
    safe: bool
    edits: tuple[Edit, ...]


@dataclass
class FilePlan:
    """One target's fixes, planned over the very text its findings were found in, or the
    error that kept it from being checked."""

    path: str  # as displayed
    target: Target
    source: str = ""
    fixes: list[Fix] = field(default_factory=list)
    skipped: int = 0  # fixes left out for markup inside the flagged words
    error: str | None = None

    def fixed(self, fixes: list[Fix] | None = None) -> str:
        """The source with `fixes` (all planned ones by default) applied."""
        return apply_edits(self.source, [edit for fix in (self.fixes if fixes is None else fixes) for edit in fix.edits])


class Writer:
    """Writes fixed files in place (`write_fixed`). It first clears the targets' folders of
    what a killed earlier run left half-written, and writes a file only while its bytes
    still decode to the text that was checked."""

    def __init__(self, targets: list[Target], encoding: str, max_bytes: int, follow_symlinks: bool = False):
        self.encoding = encoding
        self.max_bytes = max_bytes
        self.follow_symlinks = follow_symlinks
        for folder in {target.path.parent for target in targets if target.path is not None}:
            atomic.remove_stale(folder)

    def write(self, plan: FilePlan, text: str) -> None:
        try:
            original = read_bytes(plan.target, self.max_bytes)
            unchanged = decode(original, self.encoding) == plan.source
        except InputError as error:
            raise FixError(f"cannot read again: {error}") from None
        if not unchanged:
            raise FixError("file changed since it was checked; not written")
        write_fixed(plan.target.path, text, encoding_of(original, self.encoding), original, self.follow_symlinks)


def plan_fixes(doc: Document, findings: list[Finding], unsafe_min_score: float | None = None) -> tuple[list[Fix], int]:
    """Non-overlapping fixes: each finding's first safe suggestion, or its first suggestion
    of all when `unsafe_min_score` is given and the finding scores at least that; also the
    number skipped for markup."""
    fixes: list[Fix] = []
    skipped = 0
    taken_until = -1
    for finding in sorted(findings, key=lambda f: (f.start, -f.score)):
        guesses = unsafe_min_score is not None and finding.score >= unsafe_min_score
        chosen = next((s for s in finding.suggestions if s.safe or guesses), None)
        if chosen is None or finding.start < taken_until:
            continue
        replacement = chosen.text
        visible = doc.text[finding.checked_start : finding.checked_end]
        if doc.source[finding.start : finding.end] == visible:
            planned = [Edit(finding.start, finding.end, replacement)]
        else:
            planned = _word_edits(doc, finding, replacement)
            if planned is None:
                skipped += 1
                continue
        fixes.append(Fix(finding, replacement, chosen.safe, tuple(planned)))
        taken_until = finding.end
    return fixes, skipped


ANSWERS = {"y": "apply this fix", "n": "skip it", "a": "apply it and all the rest", "q": "skip it and all the rest"}


class Review:
    """Asks about each fix in turn (`unspin fix --interactive`), across files: y applies
    one, n skips one, a applies this and every later fix, q skips this and every later one.
    `ask(question)` returns one of those letters."""

    def __init__(self, ask):
        self.ask = ask
        self.rest: str | None = None  # "a" or "q" once answered so

    def accepted(self, name: str, fixes: list[Fix]) -> list[Fix]:
        taken = []
        for fix in fixes:
            answer = self.rest or self.ask(self.question(name, fix))
            if answer in ("a", "q"):
                self.rest = answer
            if answer in ("y", "a"):
                taken.append(fix)
        return taken

    @staticmethod
    def question(name: str, fix: Fix) -> str:
        f = fix.finding
        kind = "safe fix" if fix.safe else f"guess, score {f.score:.2f}"
        return f'{name}:{f.line}:{f.column}: {f.rule} "{" ".join(f.text.split())}" → "{fix.replacement}" ({kind}). Apply? [y,n,a,q,?] '


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


def _encoded(text: str, encoding: str, original: bytes) -> bytes:
    """`text` in the encoding it was read with; UTF-16 in the byte order of the original's
    mark (Python's "utf-16" would write the machine's own)."""
    if encoding == "utf-16":
        for mark, order in ((codecs.BOM_UTF16_BE, "utf-16-be"), (codecs.BOM_UTF16_LE, "utf-16-le")):
            if original.startswith(mark):
                return mark + text.encode(order)
    return text.encode(encoding)


def _copy_extended_attributes(source: Path, target: Path) -> None:
    try:
        names = os.listxattr(source)
    except OSError as error:
        if error.errno in (errno.ENOTSUP, errno.ENOSYS):
            return  # a file system without them
        raise FixError(f"cannot read its extended attributes: {error.strerror}; not written") from None
    for name in names:
        try:
            os.setxattr(target, name, os.getxattr(source, name))
        except OSError as error:
            raise FixError(f"cannot keep its extended attribute {name}: {error.strerror}; not written") from None


def unified_diff(path: str, before: str, after: str) -> str:
    return "".join(
        difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True), f"a/{path.lstrip('/')}", f"b/{path.lstrip('/')}")
    )


DIFF_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


def coloured_diff(patch: str) -> str:
    """A unified diff coloured for a terminal: removed lines red, added green, and within a
    removed line and the added line that replaces it, the words that changed marked
    (reverse video), so that a one-word fix in a long paragraph stands out."""
    import click

    out: list[str] = []
    lines = patch.splitlines(keepends=True)
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith(("---", "+++", "@@")):
            body = line.rstrip("\n")
            out.append(click.style(body, bold=True) if body[0] != "@" else click.style(body, fg="cyan"))
            out.append(line[len(body) :])
        elif line.startswith("-"):
            removed = []
            while i < len(lines) and lines[i].startswith("-") and not lines[i].startswith("---"):
                removed.append(lines[i])
                i += 1
            added = []
            while i < len(lines) and lines[i].startswith("+") and not lines[i].startswith("+++"):
                added.append(lines[i])
                i += 1
            if len(removed) == len(added):
                marked = [_marked_pair(a, b) for a, b in zip(removed, added)]
                out += [a for a, _ in marked] + [b for _, b in marked]
            else:
                out += [click.style(x, fg="red") for x in removed] + [click.style(x, fg="green") for x in added]
            continue
        elif line.startswith("+"):
            out.append(click.style(line, fg="green"))
        else:
            out.append(line)
        i += 1
    return "".join(out)


def _marked_pair(removed: str, added: str) -> tuple[str, str]:
    """The two lines coloured, their differing words in reverse video."""
    import click

    one, two = DIFF_TOKEN.findall(removed[1:].rstrip("\n")), DIFF_TOKEN.findall(added[1:].rstrip("\n"))
    left, right = [click.style("-", fg="red")], [click.style("+", fg="green")]
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(None, one, two, autojunk=False).get_opcodes():
        changed = op != "equal"
        if a2 > a1:
            left.append(click.style("".join(one[a1:a2]), fg="red", reverse=changed))
        if b2 > b1:
            right.append(click.style("".join(two[b1:b2]), fg="green", reverse=changed))
    return "".join(left) + removed[len(removed.rstrip("\n")) :], "".join(right) + added[len(added.rstrip("\n")) :]


def write_fixed(path: Path, text: str, encoding: str, original: bytes, follow_symlinks: bool = False) -> None:
    """Replace `path` with `text` all at once (atomic.py), keeping its encoding and
    byte-order mark, permissions, owner and extended attributes.

    A symlink is refused unless `follow_symlinks`, which writes its target (replacing the
    link would leave the target unfixed); so is a read-only file, whose mode says that no
    tool should change it; a file with other hard links (a new file in its place would
    leave them the old text); and a file whose owner or extended attributes this process
    cannot give the new one. A file that changed since it was read is not touched.
    """
    if path.is_symlink():
        if not follow_symlinks:
            raise FixError("is a symlink; not written (--follow-symlinks writes its target)")
        path = path.resolve()
    info = path.stat()
    if not stat.S_IMODE(info.st_mode) & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path, os.W_OK):
        raise FixError("is read-only; not written")
    if info.st_nlink > 1:
        raise FixError(f"has {info.st_nlink - 1} other hard link{'s' if info.st_nlink > 2 else ''}, which would keep the old text; not written")
    with atomic.replacing(path) as temporary:
        temporary.write_bytes(_encoded(text, encoding, original))
        os.chmod(temporary, stat.S_IMODE(info.st_mode))
        if (info.st_uid, info.st_gid) != (os.getuid(), os.getgid()):
            try:
                os.chown(temporary, info.st_uid, info.st_gid)
            except PermissionError:
                raise FixError(f"its owner ({info.st_uid}:{info.st_gid}) cannot be kept by this user; not written") from None
        _copy_extended_attributes(path, temporary)
        if path.read_bytes() != original:
            raise FixError("file changed since it was read; not written")
