"""Mapping tables: spun phrase → canonical terms, loaded from TSV, Vale or PPS files.

Matching is case-insensitive and inflection-aware: every table word is reduced to a
lemma key, and a text word matches when that key is among the text word's lemmas.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from detector.inflection import lemma_key, lemmas

TOKEN = re.compile(r"[A-Za-z0-9]+")
# What may stand between two words of one table phrase in the text.
WORD_GAP = re.compile(r"[ \t\r\n\-\u2010\u2011]+")


class TableError(ValueError):
    """A table file that cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class Entry:
    spun: str
    canonical: tuple[str, ...]
    source: str
    notes: str = ""
    score: float = 0.97

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(lemma_key(w) for w in TOKEN.findall(self.spun))


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    entry: Entry


class MappingTable:
    def __init__(self, entries: list[Entry] | None = None):
        self._by_first: dict[str, list[tuple[tuple[str, ...], Entry]]] = {}
        self._digest = hashlib.sha256()
        self.size = 0
        for entry in entries or []:
            self.add(entry)

    def add(self, entry: Entry) -> None:
        keys = entry.keys
        if not keys:
            return
        self._by_first.setdefault(keys[0], []).append((keys, entry))
        self._digest.update(f"{entry.spun}\t{'|'.join(entry.canonical)}\n".encode())
        self.size += 1

    def extend(self, other: "MappingTable") -> None:
        for candidates in other._by_first.values():
            for _, entry in candidates:
                self.add(entry)

    @property
    def version(self) -> str:
        return self._digest.hexdigest()[:16]

    def lookup(self, phrase: str) -> Entry | None:
        """The entry whose spun phrase matches all of `phrase`, if any."""
        for match in self.find(phrase):
            if match.start == 0 and match.end == len(phrase.rstrip()):
                return match.entry
        return None

    def find(self, text: str, every: bool = False) -> list[Match]:
        """Table matches in `text`, left to right: the longest at each place, not overlapping,
        or with `every` all matches at every place (overlaps included)."""
        tokens = [(m.start(), m.end(), m.group()) for m in TOKEN.finditer(text)]
        matches: list[Match] = []
        i = 0
        while i < len(tokens):
            here = []
            for key in lemmas(tokens[i][2]):
                for keys, entry in self._by_first.get(key, ()):
                    if i + len(keys) <= len(tokens) and self._matches_at(text, tokens, i, keys):
                        here.append((len(keys), entry))
            if every:
                matches += [Match(tokens[i][0], tokens[i + n - 1][1], entry) for n, entry in here]
                i += 1
            elif here:
                n, entry = max(here, key=lambda item: item[0])
                matches.append(Match(tokens[i][0], tokens[i + n - 1][1], entry))
                i += n
            else:
                i += 1
        return matches

    @staticmethod
    def _matches_at(text: str, tokens: list, i: int, keys: tuple[str, ...]) -> bool:
        for j in range(1, len(keys)):
            previous_end, (start, _, word) = tokens[i + j - 1][1], tokens[i + j]
            if not WORD_GAP.fullmatch(text, previous_end, start) or keys[j] not in lemmas(word):
                return False
        return True


def read_tsv(path: Path, text: str) -> list[Entry]:
    entries = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) < 2 or not fields[0].strip() or not fields[1].strip():
            raise TableError(f"{path}:{number}: expected 'spun<TAB>canonical[<TAB>source<TAB>notes<TAB>score]'")
        canonical = tuple(c.strip() for c in fields[1].split("|") if c.strip())
        source = fields[2].strip() if len(fields) > 2 else path.name
        notes = fields[3].strip() if len(fields) > 3 else ""
        try:
            score = float(fields[4]) if len(fields) > 4 and fields[4].strip() else Entry.score
        except ValueError:
            raise TableError(f"{path}:{number}: score {fields[4]!r} is not a number") from None
        if not 0 <= score <= 1:
            raise TableError(f"{path}:{number}: score {score} is outside 0..1")
        entries.append(Entry(fields[0].strip().lower(), canonical, source or path.name, notes, score))
    return entries


def load_table(path: str | Path) -> MappingTable:
    """Read a table file; the format follows the extension (.tsv, .yml/.yaml Vale, .csv PPS)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise TableError(f"{path}: cannot read table: {error}") from None
    suffix = path.suffix.lower()
    if suffix in (".yml", ".yaml"):
        from detector.tables.importers import read_vale

        entries = read_vale(path, text)
    elif suffix == ".csv":
        from detector.tables.importers import read_pps_csv

        entries = read_pps_csv(path, text)
    else:
        entries = read_tsv(path, text)
    return MappingTable(entries)


def shipped_table_paths() -> list[Path]:
    """The tables shipped in the package data: the hand table and the generated one."""
    folder = resources.files("detector") / "data"
    return [Path(str(folder / name)) for name in ("mapping.tsv", "mapping_generated.tsv") if (folder / name).is_file()]
