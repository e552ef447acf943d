"""Table candidates: the flagged text with every mapping-table phrase inside it replaced
by its canonical term (exact, then lemma- and inflection-aware through the matcher).

Hand-made and users' tables are authoritative: their candidates end the search. The
generated table's (spun variants of lexicon terms, scripts/build_mapping.py) join the
searched candidates, marked Source.GENERATED, for the ranker to weigh: a variant such as
"last class" → "prior year" is often the spin of another phrase ("last year"), and marked,
the ranker learns what they are worth (docs/experiments.md).
"""

from __future__ import annotations

from collections.abc import Callable

from detector.inflection import carry_over
from detector.suggest.contracts import Candidate, Source
from detector.tables import GENERATED, Entry, MappingTable


class TableCandidates:
    def __init__(self, table: MappingTable, keep: Callable[[Entry], bool] | None = None, source: Source = Source.LISTED):
        """Candidates from the entries `keep` accepts (all by default), marked `source`."""
        self.table = table
        self.keep = keep
        self.source = source

    def candidates(self, phrase: str) -> list[Candidate]:
        matches = self.table.find(phrase, keep=self.keep)
        if not matches:
            return []
        out = []
        for rank in range(max(len(m.entry.canonical) for m in matches)):
            pieces, pos = [], 0
            for m in matches:
                term = m.entry.canonical[min(rank, len(m.entry.canonical) - 1)]
                pieces += [phrase[pos : m.start], carry_over(term, phrase[m.start : m.end])]
                pos = m.end
            pieces.append(phrase[pos:])
            score = min(m.entry.score for m in matches) * (1 - 0.05 * rank)
            out.append(Candidate("".join(pieces), score, self.source))
        return out


def table_sources(table: MappingTable) -> tuple[TableCandidates, TableCandidates]:
    """(authoritative, searched): the candidates of the table's hand-made and users'
    entries, and those of its generated entries."""
    return TableCandidates(table, lambda entry: entry.source != GENERATED), TableCandidates(table, lambda entry: entry.source == GENERATED, Source.GENERATED)
