"""The canonical lexicon (data/lexicon.tsv): news terms and collocations with corpus counts."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class Term:
    text: str
    count: int
    source: str


def read_lexicon(lines) -> list[Term]:
    terms = []
    for line in lines:
        if line.startswith("#") or not line.strip():
            continue
        text, count, source = line.rstrip("\n").split("\t")
        terms.append(Term(text, int(count), source))
    return terms


@lru_cache(maxsize=1)
def shipped_lexicon() -> list[Term]:
    path = resources.files("detector") / "data" / "lexicon.tsv"
    return read_lexicon(path.read_text(encoding="utf-8").splitlines())
