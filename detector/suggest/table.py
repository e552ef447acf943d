"""Table candidates: the flagged text with every mapping-table phrase inside it replaced
by its canonical term (exact, then lemma- and inflection-aware through the matcher)."""

from __future__ import annotations

from detector.inflection import carry_over
from detector.suggest import Candidate
from detector.tables import MappingTable


class TableCandidates:
    def __init__(self, table: MappingTable):
        self.table = table

    def candidates(self, phrase: str) -> list[Candidate]:
        matches = self.table.find(phrase)
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
            out.append(Candidate("".join(pieces), score, "table"))
        return out
