"""Every write unspin makes: to a temporary path beside the target, then one rename.

A reader, or a process killed at any moment (SIGKILL included), sees the old file or the
new one, never half of either: the new content is flushed to disk before the rename, and
the folder after it, so the rename itself survives a crash. Temporary names carry the
writer's process id, so a later run tells a killed writer's leftovers from a live one's:
fix --in-place, the suggestion index and the model exports and conversions remove them
before they write.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

SUFFIX = ".unspin-tmp"
# mkstemp and mkdtemp create private (0600, 0700) paths; a new file gets the permissions
# open() would give it. Read once, at import, where no other thread can see the swap.
UMASK = os.umask(0o022)
os.umask(UMASK)
STALE = re.compile(r"^\..+\.(\d+)\.[^.]+" + re.escape(SUFFIX) + "$")


@contextlib.contextmanager
def replacing(target: Path, directory: bool = False, tidy: bool = False) -> Iterator[Path]:
    """A temporary path to fill (a file, or a folder when `directory`) that replaces
    `target` when the block ends without an exception, and is removed when it raises;
    `tidy` first removes what killed writers left in the folder (a scan of it: for rare
    writes, not the result cache's many)."""
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    if tidy:
        remove_stale(folder)
    prefix = f".{target.name}.{os.getpid()}."
    if directory:
        temporary = Path(tempfile.mkdtemp(dir=folder, prefix=prefix, suffix=SUFFIX))
        os.chmod(temporary, 0o777 & ~UMASK)
    else:
        handle, name = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=SUFFIX)
        os.fchmod(handle, 0o666 & ~UMASK)
        os.close(handle)
        temporary = Path(name)
    try:
        yield temporary
        for path in temporary.rglob("*") if directory else [temporary]:
            if path.is_file():
                _fsync(path)
        if directory and target.is_dir():
            shutil.rmtree(target)  # a folder cannot be renamed over a full one
        os.replace(temporary, target)
        _fsync(folder)
    except BaseException:
        if directory:
            shutil.rmtree(temporary, ignore_errors=True)
        else:
            temporary.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def scratch(target: Path) -> Iterator[Path]:
    """A working folder beside `target` for what a write needs on its way (removed at the
    end, and by the next write into the folder if its process was killed)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(target.parent)
    work = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.{os.getpid()}.", suffix=SUFFIX))
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def write_bytes(target: Path, data: bytes) -> None:
    with replacing(target) as temporary:
        temporary.write_bytes(data)


def write_text(target: Path, text: str) -> None:
    write_bytes(target, text.encode("utf-8"))


def remove_stale(folder: Path) -> None:
    """Remove temporary files and folders in `folder` whose writing process is gone."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        match = STALE.match(entry.name)
        if match and not _alive(int(match.group(1))):
            path = Path(entry.path)
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
