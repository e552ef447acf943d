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

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

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
    """One step of the thesaurus relation, either way round, with list positions; two
    steps as arrays over its vocabulary, since a word has thousands of words two steps
    away and each is scored."""

    def __init__(self, thesaurus: Thesaurus, frequency=wordfreq_frequency):
        self.thesaurus = thesaurus
        self.frequency = frequency
        self._zipf: dict[str, float] = {}
        self.listed_in: dict[str, dict[str, int]] = {}  # word → the heads listing it, at which position
        for head in thesaurus.entries:
            for synonym, rank in _ranks(thesaurus, head).items():
                self.listed_in.setdefault(synonym, {})[head] = rank
        # every word a step can reach: the heads and their one-word synonyms
        self.words = sorted({*thesaurus.entries, *self.listed_in})
        self.index = {word: i for i, word in enumerate(self.words)}
        self._zipfs = np.full(len(self.words), np.nan)
        self._log1p = np.zeros(0)

    def zipf(self, word: str) -> float:
        if word not in self._zipf:
            self._zipf[word] = zipf(self.frequency(word))
        return self._zipf[word]

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

    @lru_cache(maxsize=50_000)
    def _step_arrays(self, word: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """`step(word)` as (indices in `words`, word's positions, theirs), NaN for none;
        only these are kept, for the words two steps need again and again."""
        step = self.step(word)
        positions = np.array([(np.nan if a is None else a, np.nan if b is None else b) for a, b in step.values()], dtype=float).reshape(-1, 2)
        return np.fromiter((self.index[other] for other in step), np.int64, len(step)), positions[:, 0], positions[:, 1]

    def _zipf_of(self, indices: np.ndarray) -> np.ndarray:
        values = self._zipfs[indices]
        if np.isnan(values).any():
            for i in np.unique(indices[np.isnan(values)]).tolist():
                self._zipfs[i] = self.zipf(self.words[i])
            values = self._zipfs[indices]
        return values

    def _log1p_of(self, counts: np.ndarray) -> np.ndarray:
        """log1p of whole numbers, by math.log1p (as the prior was fitted), through a table."""
        top = int(counts.max(initial=0))
        if top >= len(self._log1p):
            self._log1p = np.array([math.log1p(i) for i in range(2 * top + 1)])
        return self._log1p[counts.astype(np.int64)]

    def matrix(self, word: str) -> tuple[np.ndarray, np.ndarray]:
        """(indices in `words`, FEATURES rows) of every word one or two steps from `word`
        (lower case): one step first, then two."""
        near, written_rank, listed_rank = self._step_arrays(word)
        to_middle = np.fmin(written_rank, listed_rank)
        reached, ranks = [np.zeros(0, np.int64)], [np.zeros(0)]
        for middle, rank in zip(near.tolist(), to_middle.tolist()):
            further, a, b = self._step_arrays(self.words[middle])
            reached.append(further)
            ranks.append(rank + np.fmin(a, b))
        others, path_ranks = np.concatenate(reached), np.concatenate(ranks)
        excluded = np.zeros(len(self.words), bool)
        excluded[near] = True
        if word in self.index:
            excluded[self.index[word]] = True
        kept = ~excluded[others]
        others, path_ranks = others[kept], path_ranks[kept]
        order = np.lexsort((path_ranks, others))
        far, first, paths = np.unique(others[order], return_index=True, return_counts=True)
        shortest = path_ranks[order][first]
        written = self.zipf(word)
        rows = np.zeros((len(near) + len(far), len(FEATURES)))
        one, two = rows[: len(near)], rows[len(near) :]
        z = self._zipf_of(near)
        one[:, 0] = 1.0
        one[:, 1] = ~np.isnan(written_rank)
        one[:, 2] = self._log1p_of(np.nan_to_num(written_rank))
        one[:, 3] = ~np.isnan(listed_rank)
        one[:, 4] = self._log1p_of(np.nan_to_num(listed_rank))
        one[:, 7], one[:, 9], one[:, 10] = z, z, z * z
        z = self._zipf_of(far)
        two[:, 5] = self._log1p_of(paths)
        two[:, 6] = self._log1p_of(shortest)
        two[:, 7], two[:, 10] = z, z * z
        rows[:, 8] = written
        return np.concatenate([near, far]), rows

    def features(self, word: str) -> dict[str, list[float]]:
        """Candidate → FEATURES, for every word one or two steps from `word` (lower case)."""
        indices, rows = self.matrix(word)
        return {self.words[i]: row for i, row in zip(indices.tolist(), rows.tolist())}


@dataclass
class Prior:
    """log-odds that a candidate is the original = weights · FEATURES + intercept."""

    weights: list[float]
    intercept: float

    def logit(self, features: list[float]) -> float:
        return self.intercept + sum(w * f for w, f in zip(self.weights, features))

    def logits(self, rows: np.ndarray) -> np.ndarray:
        """`logit` of each row, summed in the same order, so to the same last bit."""
        total = np.zeros(len(rows))
        for k, weight in enumerate(self.weights):
            total = total + weight * rows[:, k]
        return self.intercept + total

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
        indices, rows = self.relation.matrix(lower)
        logits = self.prior.logits(rows)
        # inflecting is the slow part: only the likeliest are, with room for forms that
        # coincide; ties at the cut are all taken, then broken by the word as before
        keep = 2 * limit
        if len(logits) > keep:
            cut = np.partition(logits, len(logits) - keep)[len(logits) - keep]
            chosen = np.flatnonzero(logits >= cut)
        else:
            chosen = np.arange(len(logits))
        words = self.relation.words
        scored = sorted(((float(logits[i]), words[indices[i]]) for i in chosen.tolist()), reverse=True)[:keep]
        best: dict[str, float] = {}
        for logit, other in scored:
            text = carry_over(other, lower)
            if text != lower:
                best[text] = max(best.get(text, -math.inf), logit)
        # ties broken by the text: set order changes from run to run
        return tuple(sorted(best.items(), key=lambda item: (-item[1], item[0]))[:limit])
