"""The shipped thesaurus (data/thesaurus.tsv.gz, built by scripts/build_thesaurus.py).

`synonyms(word)` gives every synonym in every sense, by part of speech: spinners
ignore sense, and the suggester searches it backwards.
"""

from __future__ import annotations

import gzip
from functools import lru_cache
from importlib import resources

POS_NAMES = {"n": "NOUN", "v": "VERB", "a": "ADJ", "r": "ADV", "?": "ANY"}
# How deep into a synonym list a spinner reaches: spinners favour the first ones (our
# spinner draws from these, the channel model reads this deep).
TOP_SYNONYMS = 12


class Thesaurus:
    def __init__(self, entries: dict[str, dict[str, tuple[str, ...]]]):
        self.entries = entries

    @classmethod
    def from_lines(cls, lines) -> "Thesaurus":
        entries: dict[str, dict[str, tuple[str, ...]]] = {}
        for line in lines:
            head, pos, synonyms = line.rstrip("\n").split("\t")
            entries.setdefault(head, {})[pos] = tuple(synonyms.split("|"))
        return cls(entries)

    def __contains__(self, word: str) -> bool:
        return word in self.entries

    def __len__(self) -> int:
        return len(self.entries)

    def synonyms(self, word: str, pos: str | None = None) -> list[str]:
        """Synonyms of `word` (lower case): of one part of speech, or of all, de-duplicated."""
        by_pos = self.entries.get(word, {})
        if pos:
            return list(by_pos.get(pos, ()))
        seen: dict[str, None] = {}
        for group in by_pos.values():
            seen.update(dict.fromkeys(group))
        return list(seen)


@lru_cache(maxsize=1)
def shipped_thesaurus() -> Thesaurus:
    path = resources.files("detector") / "data" / "thesaurus.tsv.gz"
    with gzip.open(str(path), "rt", encoding="utf-8") as handle:
        return Thesaurus.from_lines(handle)
