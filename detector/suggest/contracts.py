"""What the parts of the suggestion engine promise each other: a candidate, where it came
from, a finding's ranked candidates, and the protocols of candidate sources and judges.

A source proposes candidates, each with a prior (its own confidence, 0 to 1); a judge
reads them in their document and returns a new ranking with new scores. Candidates never
change once made, so what one judge saw is what the next one sees, and a source's prior
stays what the source said.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from detector.document import Document
from detector.findings import Finding


class Source(StrEnum):
    """Where a candidate came from; the ranker reads it, and only LISTED ones are safe fixes."""

    LISTED = "table"  # hand-made and users' table entries: settled, safe to apply
    GENERATED = "generated table"  # generated table entries: ranked with the searched ones
    LEXICON = "lexicon"  # the reverse-thesaurus search over the canonical lexicon
    WORDS = "words"  # the thesaurus run backwards, run by run of words
    GUESSED = "inflection guessed"  # the same, with an inflection no flagged word carried
    STEERED = "context search"  # the word search steered by the words around the phrase


@dataclass(frozen=True)
class Candidate:
    text: str  # in the flagged text's inflection and casing
    prior: float  # the source's confidence, 0 to 1
    source: Source


@dataclass(frozen=True)
class Ranked:
    """A finding's candidates, best first, each with its score: its source's prior until a
    judge has read it, then its share of the probability among them."""

    candidates: tuple[Candidate, ...] = ()
    scores: tuple[float, ...] = ()

    @classmethod
    def scored(cls, pairs: Sequence[tuple[Candidate, float]]) -> "Ranked":
        """The pairs best first; equal scores keep their order in `pairs`."""
        ordered = sorted(pairs, key=lambda pair: -pair[1])
        return cls(tuple(c for c, _ in ordered), tuple(s for _, s in ordered))

    @classmethod
    def by_prior(cls, candidates: Sequence[Candidate]) -> "Ranked":
        return cls.scored([(c, c.prior) for c in candidates])

    def __iter__(self) -> Iterator[tuple[Candidate, float]]:
        return iter(zip(self.candidates, self.scores))

    def __len__(self) -> int:
        return len(self.candidates)

    def rescored(self, scores: Mapping[int, float]) -> "Ranked":
        """The same candidates, best first, with new scores at the positions given."""
        return Ranked.scored([(c, scores.get(i, score)) for i, (c, score) in enumerate(self)])

    def top(self, n: int) -> "Ranked":
        return Ranked(self.candidates[:n], self.scores[:n])

    def judged(self) -> list[int]:
        """Positions of the candidates judges weigh: all but the LISTED ones, which are settled."""
        return [i for i, c in enumerate(self.candidates) if c.source != Source.LISTED]


def shares(log_scores: Sequence[float]) -> list[float]:
    """Each score's share of the probability among them (a softmax over log scores), so
    judged scores read as confidences."""
    top = max(log_scores)
    weights = [math.exp(score - top) for score in log_scores]
    total = sum(weights)
    return [weight / total for weight in weights]


class CandidateSource(Protocol):
    """Proposes candidates for a flagged phrase from the phrase alone."""

    def candidates(self, phrase: str) -> list[Candidate]: ...


class SteeredSource(Protocol):
    """Proposes candidates for text[start:end] reading the words around it too."""

    def candidates_at(self, text: str, start: int, end: int) -> list[Candidate]: ...


class Judge(Protocol):
    """Re-ranks each finding's candidates by reading them in the document."""

    def rescore(self, doc: Document, pending: Sequence[tuple[Finding, Ranked]]) -> list[Ranked]: ...
