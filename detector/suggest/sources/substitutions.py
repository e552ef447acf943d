"""The words a spinner's written word could stand for, each with a learned prior.

Real spinners take loose synonyms and wrong senses that one step of the thesaurus does
not relate ("enter" for "input", "strength" for "robustness"), so the candidates are two
steps of its relation, either way round: the words whose entries list the written word
and the words its own entry lists (through its lemma too), then theirs. That reaches
most real substitutions but proposes thousands of words, so a logistic prior over how
each candidate is related (the direction, how far down a list, how many two-step paths)
and how common it is ranks them; it is fitted on real tortured → correct pairs of the
Problematic Paper Screener by scripts/fit_substitutions.py (data/substitutions.json).
Only the weights ship, never the pairs.
"""

from __future__ import annotations

import heapq
import json
import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from detector.inflection import apply_casing, carry_over, casing, lemma_key
from detector.thesaurus import Thesaurus
from detector.words import wordfreq_frequency, zipf

# What the prior reads of a (written word, candidate) pair; the interactions let one-step
# and two-step candidates weigh frequency differently.
FEATURES = ("one_step", "lists_written", "written_rank", "listed", "listed_rank", "paths", "path_rank", "candidate_zipf", "written_zipf", "one_step_candidate_zipf", "candidate_zipf_squared")


def _ranks(thesaurus: Thesaurus, head: str) -> dict[str, int]:
    """Each one-word synonym in head's entry → its best position in any of its lists."""
    out: dict[str, int] = {}
    for synonyms in thesaurus.entries.get(head, {}).values():
        for rank, synonym in enumerate(synonyms):
            if " " not in synonym and out.get(synonym, rank) >= rank:
                out[synonym] = rank
    return out


class Relation:
    """One step of the thesaurus relation, either way round, with list positions."""

    def __init__(self, thesaurus: Thesaurus, frequency=wordfreq_frequency):
        self.thesaurus = thesaurus
        self.frequency = frequency
        self._zipf: dict[str, float] = {}
        self.listed_in: dict[str, dict[str, int]] = {}  # word → the heads listing it, at which position
        for head in thesaurus.entries:
            for synonym, rank in _ranks(thesaurus, head).items():
                self.listed_in.setdefault(synonym, {})[head] = rank

    def zipf(self, word: str) -> float:
        if word not in self._zipf:
            self._zipf[word] = zipf(self.frequency(word))
        return self._zipf[word]

    @lru_cache(maxsize=50_000)
    def step(self, word: str) -> dict[str, tuple[int | None, int | None]]:
        """Related word → (word's position in its entry, its position in word's entry)."""
        out: dict[str, tuple[int | None, int | None]] = {}
        keys = dict.fromkeys([word, lemma_key(word)])
        for key in keys:
            for other, rank in self.listed_in.get(key, {}).items():
                a, b = out.get(other, (None, None))
                out[other] = (rank if a is None else min(a, rank), b)
            for other, rank in _ranks(self.thesaurus, key).items():
                a, b = out.get(other, (None, None))
                out[other] = (a, rank if b is None else min(b, rank))
        for key in keys:
            out.pop(key, None)
        return out

    def features(self, word: str) -> dict[str, list[float]]:
        """Candidate → FEATURES, for every word one or two steps from `word` (lower case)."""
        one = self.step(word)
        paths: Counter[str] = Counter()
        shortest: dict[str, int] = {}
        for middle, ranks in one.items():
            to_middle = min(r for r in ranks if r is not None)
            for other, further in self.step(middle).items():
                if other in one or other == word:
                    continue
                paths[other] += 1
                rank = to_middle + min(r for r in further if r is not None)
                shortest[other] = min(rank, shortest.get(other, rank))
        written = self.zipf(word)
        out = {}
        for other, (a, b) in one.items():
            z = self.zipf(other)
            out[other] = [1.0, float(a is not None), math.log1p(a or 0), float(b is not None), math.log1p(b or 0), 0.0, 0.0, z, written, z, z * z]
        for other, count in paths.items():
            z = self.zipf(other)
            out[other] = [0.0, 0.0, 0.0, 0.0, 0.0, math.log1p(count), math.log1p(shortest[other]), z, written, 0.0, z * z]
        return out


@dataclass
class Prior:
    """log-odds that a candidate is the original = weights · FEATURES + intercept."""

    weights: list[float]
    intercept: float

    def logit(self, features: list[float]) -> float:
        return self.intercept + sum(w * f for w, f in zip(self.weights, features))

    @classmethod
    def shipped(cls) -> "Prior":
        data = json.loads((resources.files("detector") / "data" / "substitutions.json").read_text(encoding="utf-8"))
        if tuple(data["features"]) != FEATURES:
            raise ValueError("data/substitutions.json was fitted on other features")
        return cls(data["weights"], data["intercept"])


class Substitutions:
    def __init__(self, relation: Relation, prior: Prior):
        self.relation = relation
        self.prior = prior

    def candidates(self, word: str, limit: int) -> list[tuple[str, float]]:
        """The `limit` likeliest originals of `word` as (text in its inflection and casing,
        prior log-odds), likeliest first."""
        return [(apply_casing(text, casing(word)), logit) for text, logit in self._ranked(word.lower(), limit)]

    @lru_cache(maxsize=20_000)
    def _ranked(self, lower: str, limit: int) -> tuple[tuple[str, float], ...]:
        scored = ((self.prior.logit(features), other) for other, features in self.relation.features(lower).items())
        best: dict[str, float] = {}
        # inflecting is the slow part: only the likeliest are, with room for forms that coincide
        for logit, other in heapq.nlargest(2 * limit, scored):
            text = carry_over(other, lower)
            if text != lower:
                best[text] = max(best.get(text, -math.inf), logit)
        # ties broken by the text: set order changes from run to run
        return tuple(sorted(best.items(), key=lambda item: (-item[1], item[0]))[:limit])
