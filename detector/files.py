"""Finding the files to check and reading them safely.

Every problem with an input becomes an `InputError` whose message is one line naming
the reason; the caller reports it with the path and goes on with the other files.
"""

from __future__ import annotations

import codecs
import fnmatch
import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

STDIN = "-"
BINARY_PROBE = 8192


class InputError(Exception):
    """An input that cannot be checked."""


@dataclass(frozen=True)
class Target:
    """One thing to check: a file path, stdin, or a text already in memory (an archive's
    record); `error` is set when discovery or the record failed, `format` when the record
    names its own."""

    display: str
    path: Path | None
    error: str | None = None
    text: str | None = None
    format: str | None = None


def surrogate_at(text: str) -> int | None:
    """Where `text` holds a lone surrogate (no Unicode character, so no UTF-8), or None."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        return error.start
    return None


def shown(name: str) -> str:
    """A path or id as reports show it: bytes that are not UTF-8 (which Python keeps as
    lone surrogates) and any other lone surrogate become U+FFFD, so every report stays
    valid UTF-8."""
    if surrogate_at(name) is None:
        return name
    try:
        raw = name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that stands for no byte (a JSON "\ud800")
        raw = name.encode("utf-8", "surrogatepass")
    return raw.decode("utf-8", "replace")


def _matches(relative: str, patterns: list[str]) -> bool:
    name = PurePosixPath(relative).name
    return any(fnmatch.fnmatch(relative, p) or fnmatch.fnmatch(name, p) for p in patterns)


def discover(
    arguments: list[str], extensions: list[str], include: list[str], exclude: list[str]
) -> list[Target]:
    """Targets for the command-line arguments, in a stable order.

    Folders are walked recursively (hidden folders and files skipped, symlinked folders
    not followed); a file there is checked when its extension is in `extensions` or it
    matches an `include` glob, unless it matches an `exclude` glob. Files named
    explicitly are checked whatever their extension, unless excluded.
    """
    suffixes = {e.lower() if e.startswith(".") else "." + e.lower() for e in extensions}
    targets: list[Target] = []
    for argument in arguments:
        if argument == STDIN:
            targets.append(Target(STDIN, None))
            continue
        path, argument = Path(argument), shown(argument)
        try:
            is_dir = path.is_dir()
            exists = is_dir or path.exists() or path.is_symlink()
        except OSError as error:
            targets.append(Target(argument, None, error.strerror or str(error)))
            continue
        if not exists:
            targets.append(Target(argument, None, "no such file or directory"))
        elif not is_dir:
            if not _matches(path.as_posix(), exclude):
                targets.append(Target(argument, path))
        else:
            found = _walk(path, suffixes, include, exclude)
            if not found:
                targets.append(Target(argument, None, "folder has no files to check"))
            targets.extend(Target(shown(str(file)), file) for file in found)
    return targets


def _walk(root: Path, suffixes: set[str], include: list[str], exclude: list[str]) -> list[Path]:
    found = []
    for folder, subfolders, files in os.walk(root, followlinks=False):
        relative_folder = Path(folder).relative_to(root)
        subfolders[:] = sorted(
            d for d in subfolders if not d.startswith(".") and not _matches((relative_folder / d).as_posix(), exclude)
        )
        for name in sorted(files):
            relative = (relative_folder / name).as_posix()
            if name.startswith(".") or _matches(relative, exclude):
                continue
            if Path(name).suffix.lower() in suffixes or _matches(relative, include):
                found.append(Path(folder) / name)
    return found


def encoding_of(data: bytes, encoding: str) -> str:
    """The encoding to read and write `data` with: `encoding`, unless it is the default
    UTF-8 and a UTF-16 byte-order mark says otherwise."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
        return "utf-16"
    return encoding


def decode(data: bytes, encoding: str) -> str:
    """Decode strictly; a bad byte is reported with its offset, never guessed around. An
    empty file is text with nothing in it."""
    encoding = encoding_of(data, encoding)
    nul = data.find(b"\x00", 0, BINARY_PROBE)
    if nul != -1 and not encoding.lower().startswith("utf-16"):
        raise InputError(f"binary file (NUL byte at offset {nul})")
    try:
        return codecs.decode(data, encoding)
    except UnicodeDecodeError as error:
        raise InputError(
            f"invalid {error.encoding.upper()} at byte {error.start} ({error.reason}); pass --encoding if the file uses another one"
        ) from None
    except LookupError:
        raise InputError(f"unknown encoding {encoding!r}") from None


def read_bytes(target: Target, max_bytes: int, stdin: BinaryIO | None = None) -> bytes:
    """The raw bytes of a target, or an `InputError` saying why it cannot be read."""
    if target.error:
        raise InputError(target.error)
    if target.path is None:
        if stdin is None and sys.stdin is None:
            raise InputError("standard input is closed")
        try:
            data = (stdin or sys.stdin.buffer).read(max_bytes + 1)
        except (OSError, ValueError) as error:
            raise InputError(f"cannot read standard input: {getattr(error, 'strerror', None) or error}") from None
    else:
        try:
            # O_NONBLOCK: opening a FIFO with no writer must not wait; fstat then refuses it
            fd = os.open(target.path, os.O_RDONLY | os.O_NONBLOCK)
            with os.fdopen(fd, "rb") as handle:
                info = os.fstat(fd)
                if stat.S_ISDIR(info.st_mode):
                    raise InputError("is a directory")
                if not stat.S_ISREG(info.st_mode):
                    raise InputError(f"not a regular file ({_kind(info.st_mode)}); pipe it to '-' to check it")
                if info.st_size > max_bytes:
                    raise InputError(f"file is {info.st_size:,} bytes, over the {max_bytes:,}-byte limit (--max-bytes)")
                data = handle.read(max_bytes + 1)
        except IsADirectoryError:
            raise InputError("is a directory") from None
        except OSError as error:
            raise InputError(f"cannot read: {error.strerror or error}") from None
    if len(data) > max_bytes:
        raise InputError(f"input is over the {max_bytes:,}-byte limit (--max-bytes)")
    return data


def _kind(mode: int) -> str:
    kinds = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))
    return next((name for test, name in kinds if test(mode)), "not a file")


def read_target(target: Target, encoding: str, max_bytes: int, stdin: BinaryIO | None = None) -> str:
    """The decoded text of a target, or an `InputError` saying why it cannot be read."""
    if target.text is not None and not target.error:
        return target.text
    return decode(read_bytes(target, max_bytes, stdin), encoding)
