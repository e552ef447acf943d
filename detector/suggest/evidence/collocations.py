"""Collocation statistics: a bigram model of news text, which tells how likely a candidate's
words follow the word before the phrase, each other, and lead into the word after it, with
counts of word triples besides (the ranker's main evidence, ranker.py).

The counts (data/collocations.tsv.gz, scripts/build_collocations.py) come from the train
split of the training corpora. Alone they rank the right term first more often than the
fine-tuned classifier reading each candidate in context, at a fraction of the cost
(docs/experiments.md).
"""

from __future__ import annotations

import gzip
import math
import re
from functools import lru_cache
from importlib import resources

from detector.words import wordfreq_frequency

START, END = "<s>", "</s>"
TOKEN = re.compile(r"[a-z]+(?:['’\-][a-z]+)*|\d+|[^\sa-z\d]")
DISCOUNT = 0.5  # subtracted from each pair count (absolute discounting)
BACKOFF = 0.4  # weight of the word's own frequency when interpolating
FLOOR = 1e-8  # probability of a word never seen
CONTEXT = 40  # characters read either side of a phrase for its neighbouring words


def tokens(text: str) -> list[str]:
    return TOKEN.findall(text.lower())


def neighbours(text: str, start: int, end: int, n: int) -> tuple[list[str], list[str]]:
    """The n tokens before text[start:end] and the n after it, padded with START / END,
    read from CONTEXT characters either side."""
    before = ([START] * n + tokens(text[max(0, start - CONTEXT) : start]))[-n:]
    after = (tokens(text[end : end + CONTEXT]) + [END] * n)[:n]
    return before, after


def pair_key(previous: str, word: str) -> str:
    """The key of a word pair (tokens hold no spaces)."""
    return f"{previous} {word}"


class Collocations:
    def __init__(self, words, pairs, total: int | None = None, frequency=wordfreq_frequency, triples=None):
        """`words`: word → count; `pairs`: pair_key(a, b) → count; `triples`: pair_key(a, b)
        + " " + c → count; mappings in memory or the index's tables (then with their
        `total` of word counts); `frequency`: word → frequency in English at large."""
        self.words = words
        self.pairs = pairs
        self.triples = triples if triples is not None else {}
        self.frequency = frequency
        self.total = total or sum(words.values()) or 1
        # candidates share most of their words: each word's probability is worked out once
        self._word_probability = lru_cache(maxsize=100_000)(self._word_probability)

    @classmethod
    def from_lines(cls, lines) -> "Collocations":
        words, pairs, triples = {}, {}, {}
        for line in lines:
            if line.startswith("#"):
                continue
            *key, count = line.rstrip("\n").split("\t")
            {1: words, 2: pairs, 3: triples}[len(key)][" ".join(key)] = int(count)
        return cls(words, pairs, triples=triples)

    def _word_probability(self, word: str) -> float:
        # wordfreq covers words the news corpora lack; halved, as it counts more registers
        return max(self.words.get(word, 0) / self.total, self.frequency(word) / 2, FLOOR)

    def transition(self, previous: str, word: str) -> float:
        """log P(word | previous word), interpolated with the word's own probability."""
        seen = self.words.get(previous, 0)
        pair = max(self.pairs.get(pair_key(previous, word), 0) - DISCOUNT, 0) / seen if seen else 0.0
        weight = BACKOFF if seen else 1.0
        return math.log((1 - weight) * pair + weight * self._word_probability(word))

    def continuation(self, first: str, second: str, word: str) -> float:
        """P(word | the two words before it) from the triple counts, discounted: 0 for a
        triple not counted (no backing off: the bigrams say the rest)."""
        seen = self.pairs.get(pair_key(first, second), 0)
        return max(self.triples.get(f"{pair_key(first, second)} {word}", 0) - DISCOUNT, 0) / seen if seen else 0.0

    def word_log_probability(self, word: str) -> float:
        return math.log(self._word_probability(word))

    def pair_seen(self, previous: str, word: str) -> bool:
        return pair_key(previous, word) in self.pairs

    def log_probability(self, sequence: list[str]) -> float:
        """log P of each token given the one before it, summed (interpolated bigrams)."""
        return sum(self.transition(previous, word) for previous, word in zip(sequence, sequence[1:]))


@lru_cache(maxsize=1)
def shipped_collocations() -> Collocations:
    path = resources.files("detector") / "data" / "collocations.tsv.gz"
    with gzip.open(str(path), "rt", encoding="utf-8") as handle:
        return Collocations.from_lines(handle)
