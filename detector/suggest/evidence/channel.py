"""The spinner's side of restoration (a noisy channel): how likely a thesaurus spinner turns
a candidate into the flagged phrase.

A spinner puts in a word's place one of the first synonyms of its thesaurus entry, so an
original whose entry lists the flagged word among a few synonyms is likelier than one
that lists it among many. The ranker (ranker.py) weighs this with how well each candidate
reads in context: the context alone cannot tell "rate" from "rank" when both fit.

DEPTH is how deep spinners reach into a list (thesaurus.TOP_SYNONYMS, the training
spinner's too); figures in docs/experiments.md, "Tuned settings".
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import NamedTuple

from detector.inflection import lemma_key
from detector.thesaurus import TOP_SYNONYMS, Thesaurus
from detector.words import ENGLISH_WORD, FUNCTION_WORDS  # ENGLISH_WORD: a compound is one word, as the thesaurus has it

# Spinners draw from the first synonyms of an entry: a synonym further down is not a swap.
DEPTH = TOP_SYNONYMS
KEPT = -1.0  # log P of a content word of a finding left as it was (most were swapped)
UNEXPLAINED = -3.0  # log P of a word the thesaurus does not relate to the candidate's
MAX_RUN = 3  # words on either side of one swap ("get under way" for "open")


class Alignment(NamedTuple):
    """An alignment's log P(phrase | candidate) and what it is made of."""

    log_probability: float
    unexplained: int  # words of either side that no swap or kept word explains
    kept: int  # content words left as they were
    swaps: int
    swap_log: float  # the swaps' share of log_probability

    def step(self, cost: float, unexplained: int = 0, kept: int = 0, swaps: int = 0, swap_log: float = 0.0) -> Alignment:
        return Alignment(self.log_probability + cost, self.unexplained + unexplained, self.kept + kept, self.swaps + swaps, self.swap_log + swap_log)


class Channel:
    def __init__(self, thesaurus: Thesaurus):
        self.thesaurus = thesaurus
        self._swap = lru_cache(maxsize=200_000)(self._swap)

    def _swap(self, original: str, spun: str) -> float | None:
        """log P(spun | original) for one swap: one over the synonyms drawn from, through the
        entry that makes it likeliest; None when no entry lists it among its first DEPTH."""
        forms = {spun, lemma_key(spun)}
        best = 0.0
        for head in dict.fromkeys((original, lemma_key(original))):
            for synonyms in self.thesaurus.entries.get(head, {}).values():
                if forms & set(synonyms[:DEPTH]):
                    best = max(best, 1 / min(len(synonyms), DEPTH))
        return math.log(best) if best else None

    def alignment(self, phrase: str, candidate: str) -> Alignment:
        """The likeliest monotone alignment of the phrase's words with the candidate's."""
        spun, original = ENGLISH_WORD.findall(phrase.lower()), ENGLISH_WORD.findall(candidate.lower())
        n, m = len(spun), len(original)
        best: dict[tuple[int, int], Alignment] = {(0, 0): Alignment(0.0, 0, 0, 0, 0.0)}
        for i in range(n + 1):
            for j in range(m + 1):
                here = best.get((i, j))
                if here is None:
                    continue
                moves = [(i + 1, j, here.step(UNEXPLAINED, unexplained=1)), (i, j + 1, here.step(UNEXPLAINED, unexplained=1))]
                if i < n and j < m and (spun[i] == original[j] or lemma_key(spun[i]) == lemma_key(original[j])):
                    function_word = spun[i] in FUNCTION_WORDS
                    moves.append((i + 1, j + 1, here.step(0.0 if function_word else KEPT, kept=not function_word)))
                for ks in range(1, MAX_RUN + 1):
                    for km in range(1, MAX_RUN + 1):
                        if min(ks, km) == 1 and i + ks <= n and j + km <= m:
                            swap = self._swap(" ".join(original[j : j + km]), " ".join(spun[i : i + ks]))
                            if swap is not None:
                                moves.append((i + ks, j + km, here.step(swap, swaps=1, swap_log=swap)))
                for a, b, step in moves:
                    if a <= n and b <= m and ((a, b) not in best or best[(a, b)].log_probability < step.log_probability):
                        best[(a, b)] = step
        return best[(n, m)]
