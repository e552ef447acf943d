"""What a story is about: a vector per content word, from which words share news stories.

A thesaurus swap keeps a word's meaning in some sense but often leaves the story's
subject: "rate" and "rank" both fit "the interest ... rose", but only one of them is a
word of stories about banks. Each content lemma of the train split's stories has a
vector (scripts/build_topics.py: the positive pointwise mutual information of lemmas
that occur in the same story, reduced by a truncated SVD), and the ranker (ranker.py)
reads how close a candidate's new words lie to the other words of the passage
(figures in docs/experiments.md).
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import numpy as np

from detector.inflection import lemma_key
from detector.words import FUNCTION_WORDS, LOWER_COMPOUND

MIN_LENGTH = 3  # shorter words are mostly abbreviations and units
PATH = resources.files("detector") / "data" / "topics.safetensors"


def content_lemmas(text: str) -> Counter:
    """The lemmas of the text's content words, with how often each occurs."""
    return Counter(lemma_key(w) for w in LOWER_COMPOUND.findall(text.lower()) if len(w) >= MIN_LENGTH and w not in FUNCTION_WORDS)


class Story(NamedTuple):
    """The content lemmas around a finding and what the vectors make of them."""

    lemmas: set[str]
    vectors: np.ndarray  # of those lemmas that have one
    centroid: np.ndarray  # their mean, unit length


class Topics:
    def __init__(self, words: list[str], vectors: np.ndarray):
        """`vectors`: one unit-length row per word of `words`."""
        self.row = {word: i for i, word in enumerate(words)}
        self.vectors = vectors.astype(np.float32)

    @classmethod
    def load(cls, path: Path) -> Topics:
        from safetensors import safe_open

        with safe_open(str(path), framework="numpy") as handle:
            return cls(handle.metadata()["words"].split("\n"), handle.get_tensor("vectors"))

    def story(self, lemmas: set[str]) -> Story:
        vectors = self.vectors[[self.row[w] for w in lemmas if w in self.row]]
        centroid = vectors.mean(0) if len(vectors) else np.zeros(self.vectors.shape[1], dtype=np.float32)
        return Story(lemmas, vectors, centroid / (np.linalg.norm(centroid) + 1e-9))

    def fit(self, story: Story, candidate: str) -> tuple[float, float, float, float]:
        """How close the candidate's content words that the story lacks lie to the story's:
        the mean and the highest cosine to its centroid, the highest to any one of its
        words, and 1; all 0 when either side has no vectors."""
        new = [self.row[w] for w in content_lemmas(candidate).keys() - story.lemmas if w in self.row]
        if not new or not len(story.vectors):
            return 0.0, 0.0, 0.0, 0.0
        vectors = self.vectors[new]
        to_centroid = vectors @ story.centroid
        return float(to_centroid.mean()), float(to_centroid.max()), float((vectors @ story.vectors.T).max()), 1.0


@lru_cache(maxsize=1)
def shipped_topics() -> Topics:
    return Topics.load(Path(str(PATH)))
