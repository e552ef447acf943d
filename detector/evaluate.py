"""Span metrics shared by calibration and `unspin eval`.

A gold span is *found* when findings cover at least half of its non-space characters;
a finding is *correct* when at least half of its non-space characters lie inside gold
spans. Precision = correct findings / findings; recall = found gold spans / gold spans.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

PUNCTUATION = re.compile(r"[\s\-‐‑–—'’\"“”.,;:!?()]+")


def _covered_share(text: str, span: tuple[int, int], others: list[tuple[int, int]]) -> float:
    start, end = span
    positions = [i for i in range(start, end) if not text[i].isspace()]
    if not positions:
        return 0.0
    covered = sum(1 for i in positions if any(a <= i < b for a, b in others))
    return covered / len(positions)


def is_found(text: str, gold: tuple[int, int], predicted: list[tuple[int, int]]) -> bool:
    return _covered_share(text, gold, predicted) >= 0.5


def is_correct(text: str, predicted: tuple[int, int], gold: list[tuple[int, int]]) -> bool:
    return _covered_share(text, predicted, gold) >= 0.5


@dataclass
class SpanCounts:
    gold: int = 0
    found: int = 0
    predicted: int = 0
    correct: int = 0
    words: int = 0
    false_findings: list = field(default_factory=list)

    def add(self, text: str, gold: list[tuple[int, int]], predicted: list[tuple[int, int]]) -> None:
        self.gold += len(gold)
        self.found += sum(is_found(text, g, predicted) for g in gold)
        self.predicted += len(predicted)
        for p in predicted:
            if is_correct(text, p, gold):
                self.correct += 1
            else:
                self.false_findings.append(text[p[0] : p[1]])
        self.words += len(text.split())

    def metrics(self) -> dict:
        precision = self.correct / self.predicted if self.predicted else 1.0
        recall = self.found / self.gold if self.gold else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "gold": self.gold,
            "found": self.found,
            "findings": self.predicted,
            "correct": self.correct,
            "words": self.words,
            "false_per_1000_words": round(1000 * (self.predicted - self.correct) / max(1, self.words), 3),
        }


def normalise_term(text: str) -> str:
    """Lower case, hyphens, quotes and punctuation folded to single spaces (restoration checks)."""
    return " ".join(PUNCTUATION.sub(" ", text.lower()).split())
