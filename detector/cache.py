"""The result cache: unchanged files are not checked again.

A result is stored under a key made of the file's text, its format and the pipeline's
fingerprint (unspin version and a digest of its code and data, model version, table version,
configuration), so any change to one of them misses. The cache lives in `$UNSPIN_CACHE_DIR`, else
`$XDG_CACHE_HOME/unspin`, else `~/.cache/unspin` (`results/`: one small JSON file per
result, written atomically; `tables/`: compiled mapping tables; `models/`: ONNX exports;
`suggest-*.sqlite`: the suggestion engine's look-up tables). An unreadable or corrupt
entry counts as a miss and is rewritten.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import cache
from pathlib import Path

from detector import atomic


def default_cache_dir() -> Path:
    if os.environ.get("UNSPIN_CACHE_DIR"):
        return Path(os.environ["UNSPIN_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "unspin"


@cache
def package_digest(package: Path = Path(__file__).parent) -> str:
    """A digest of the package's Python sources and the data files it ships (ranker,
    collocations, lexicon, topics...): an editable install gets new code and data without a
    new version number, and must not be served results the old ones made."""
    digest = hashlib.sha256()
    data = package / "data"  # a symlink in a checkout, which rglob does not enter from above
    for path in sorted(package.rglob("*.py")) + sorted(p for p in data.rglob("*") if p.is_file()):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class ResultCache:
    def __init__(self, folder: Path, fingerprint: str):
        self.folder = folder
        self.fingerprint = fingerprint

    def key(self, text: str, fmt: str) -> str:
        digest = hashlib.sha256()
        for part in (self.fingerprint, fmt, text):
            digest.update(part.encode("utf-8", "surrogatepass"))
            digest.update(b"\0")
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / "results" / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict | None:
        try:
            entry = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return entry if isinstance(entry, dict) and entry.get("key") == key else None

    def put(self, key: str, result: dict) -> None:
        path = self._path(key)
        try:
            atomic.write_text(path, json.dumps({"key": key, **result}, ensure_ascii=False))
        except OSError:
            pass  # a cache that cannot be written only costs time
