"""Mapping tables: spun phrase → canonical terms, loaded from TSV, Vale or PPS files.

Matching is case-insensitive and inflection-aware: every table word is reduced to a
lemma key, and a text word matches a key when it is one of the key's noun or verb
inflections. Those forms are worked out when a table is compiled, and compiled tables
are cached by content, so checking itself never waits for the lemmatiser.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from detector import atomic
from detector.inflection import inflected_forms, lemma_key
from detector.tables.entries import Entry, TableError

TOKEN = re.compile(r"[A-Za-z0-9]+")
# What may stand between two words of one table phrase in the text.
WORD_GAP = re.compile(r"[ \t\r\n\-\u2010\u2011]+")
GENERATED = "generated"  # the source of the entries scripts/build_mapping.py writes


@dataclass(frozen=True)
class Match:
    start: int
    end: int
    entry: Entry


class MappingTable:
    def __init__(self, entries: list[Entry] | None = None):
        self._by_first: dict[str, list[tuple[tuple[str, ...], Entry]]] = {}
        # for matching: one-word entries by key, longer ones by their first two keys, each
        # with its position in the table (earlier entries win ties)
        self._single: dict[str, list[tuple[int, Entry]]] = {}
        self._by_pair: dict[tuple[str, str], list[tuple[int, tuple[str, ...], Entry]]] = {}
        # surface form (lower case) → the table keys it stands for
        self._forms: dict[str, set[str]] = {}
        self._known_keys: set[str] = set()
        self._digest = hashlib.sha256()
        self.size = 0
        for entry in entries or []:
            keys = tuple(lemma_key(w) for w in TOKEN.findall(entry.spun))
            self._add(entry, keys, {key: inflected_forms(key) for key in keys if key not in self._known_keys})

    def _add(self, entry: Entry, keys: tuple[str, ...], forms: dict[str, set[str] | list[str]]) -> None:
        if not keys:
            return
        for key, surface_forms in forms.items():
            self._known_keys.add(key)
            for form in surface_forms:
                self._forms.setdefault(form, set()).add(key)
        self._by_first.setdefault(keys[0], []).append((keys, entry))
        if len(keys) == 1:
            self._single.setdefault(keys[0], []).append((self.size, entry))
        else:
            self._by_pair.setdefault(keys[:2], []).append((self.size, keys, entry))
        self._digest.update(f"{entry.spun}\t{'|'.join(entry.canonical)}\n".encode())
        self.size += 1

    def extend(self, other: "MappingTable") -> None:
        forms: dict[str, set[str]] = {}
        for form, keys in other._forms.items():
            for key in keys:
                forms.setdefault(key, set()).add(form)
        for candidates in other._by_first.values():
            for keys, entry in candidates:
                self._add(entry, keys, {k: forms.pop(k) for k in keys if k in forms})

    def _keys_of(self, word: str) -> set[str]:
        lower = word.lower()
        return self._forms.get(lower, set()) | {lower}

    def to_json(self) -> dict:
        forms: dict[str, list[str]] = {}
        for form, keys in self._forms.items():
            for key in keys:
                forms.setdefault(key, []).append(form)
        entries = [[list(keys), e.spun, list(e.canonical), e.source, e.notes, e.score] for group in self._by_first.values() for keys, e in group]
        return {"entries": entries, "forms": forms}

    @classmethod
    def from_json(cls, data: dict) -> "MappingTable":
        table = cls()
        forms = {key: list(values) for key, values in data["forms"].items()}
        for keys, spun, canonical, source, notes, score in data["entries"]:
            table._add(Entry(spun, tuple(canonical), source, notes, score), tuple(keys), {k: forms.pop(k) for k in keys if k in forms})
        return table

    @property
    def version(self) -> str:
        return self._digest.hexdigest()[:16]

    def lookup(self, phrase: str) -> Entry | None:
        """The entry whose spun phrase matches all of `phrase`, if any."""
        for match in self.find(phrase):
            if match.start == 0 and match.end == len(phrase.rstrip()):
                return match.entry
        return None

    def find(self, text: str, every: bool = False, keep: Callable[[Entry], bool] | None = None) -> list[Match]:
        """Table matches in `text`, left to right: the longest at each place (the earliest
        entry of those), not overlapping, or with `every` all matches at every place; only
        of the entries `keep` accepts, when given."""
        tokens = [(m.start(), m.end(), m.group()) for m in TOKEN.finditer(text)]
        keys = [self._keys_of(word) for _, _, word in tokens]  # once per token, not per entry tried
        matches: list[Match] = []
        i = 0
        while i < len(tokens):
            here = []  # (words, table position, entry)
            joined = i + 1 < len(tokens) and self._joined(text, tokens, i + 1)
            for key in keys[i]:
                here += [(1, position, entry) for position, entry in self._single.get(key, ())]
                for second in keys[i + 1] if joined else ():
                    for position, entry_keys, entry in self._by_pair.get((key, second), ()):
                        if i + len(entry_keys) <= len(tokens) and self._matches_at(text, tokens, keys, i, entry_keys):
                            here.append((len(entry_keys), position, entry))
            if keep is not None:  # before the longest is chosen: a left-out entry hides none
                here = [item for item in here if keep(item[2])]
            here.sort(key=lambda item: (-item[0], item[1]))
            if every:
                matches += [Match(tokens[i][0], tokens[i + n - 1][1], entry) for n, _, entry in here]
                i += 1
            elif here:
                n, _, entry = here[0]
                matches.append(Match(tokens[i][0], tokens[i + n - 1][1], entry))
                i += n
            else:
                i += 1
        return matches

    @staticmethod
    def _joined(text: str, tokens: list, j: int) -> bool:
        """Whether token j follows token j - 1 within one phrase."""
        return WORD_GAP.fullmatch(text, tokens[j - 1][1], tokens[j][0]) is not None

    def _matches_at(self, text: str, tokens: list, keys: list[set[str]], i: int, entry_keys: tuple[str, ...]) -> bool:
        """Whether an entry whose first two keys match at i matches its other words too."""
        return all(entry_keys[j] in keys[i + j] and self._joined(text, tokens, i + j) for j in range(2, len(entry_keys)))


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


def load_table(path: str | Path, cache_dir: Path | None = None) -> MappingTable:
    """Read a table file; the format follows the extension (.tsv, .yml/.yaml Vale, .csv PPS).

    With `cache_dir`, the compiled table is kept there under a hash of the file's bytes.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
        text = data.decode("utf-8")
    except OSError as error:
        reason = (error.strerror or str(error)).lower()  # "no such file or directory", without errno and path
        raise TableError(f"{path}: cannot read table: {reason}") from None
    except UnicodeDecodeError as error:
        raise TableError(f"{path}: cannot read table: invalid UTF-8 at byte {error.start}") from None
    compiled = None
    if cache_dir is not None:
        from detector import __version__

        digest = hashlib.sha256(__version__.encode() + path.suffix.lower().encode() + data).hexdigest()
        compiled = cache_dir / "tables" / f"{digest}.json"
        try:
            return MappingTable.from_json(json.loads(compiled.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            pass  # not cached yet, or a damaged entry: compile again
    table = MappingTable(_read_entries(path, text))
    if compiled is not None:
        _write_json(compiled, table.to_json())
    return table


def _read_entries(path: Path, text: str) -> list[Entry]:
    suffix = path.suffix.lower()
    if suffix in (".yml", ".yaml"):
        from detector.tables.importers import read_vale

        return read_vale(path, text)
    if suffix == ".csv":
        from detector.tables.importers import read_pps_csv

        return read_pps_csv(path, text)
    return read_tsv(path, text)


def _write_json(target: Path, data: dict) -> None:
    try:
        atomic.write_text(target, json.dumps(data))
    except OSError:
        pass  # an unwritable cache only costs time


def shipped_table_paths() -> list[Path]:
    """The tables shipped in the package data: the hand table and the generated one."""
    folder = resources.files("detector") / "data"
    return [Path(str(folder / name)) for name in ("mapping.tsv", "mapping_generated.tsv") if (folder / name).is_file()]
