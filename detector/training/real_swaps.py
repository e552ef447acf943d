"""What real spinners write for a word or a term, learnt from tortured → correct pairs.

Real paraphrasing tools are consistent: the same original word turns into the same few
words across papers ("deep" → "profound", "data" → "information", "access" → "get to"),
and a thesaurus's first synonyms hold few of them. The spinner that makes training data
draws from these swaps so the classifier learns real spinners' habits, not only ours.

The pairs are read when training data is built (`unspin-dev data build --real-pairs`) and
never shipped: only what a model learns from the spun text reaches users.

- `words`: original lemma → the spun words (lemmas; one or more words) with counts, from
  the changed words of equal-length pairs and from pairs that differ in one run of words
  whose original side is one word ("get to to the records" for "access to the records"
  gives "access" → "get to");
- `terms`: correct term's words → its tortured phrases, for planting one where the term occurs.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from detector.inflection import lemma_key
from detector.words import FUNCTION_WORDS


def _differing_run(spun: list[str], correct: list[str]) -> tuple[list[str], list[str]]:
    """The words of each side between their common first and last words."""
    head = 0
    while head < min(len(spun), len(correct)) and spun[head] == correct[head]:
        head += 1
    tail = 0
    while tail < min(len(spun), len(correct)) - head and spun[-1 - tail] == correct[-1 - tail]:
        tail += 1
    return spun[head : len(spun) - tail], correct[head : len(correct) - tail]


@dataclass
class RealSwaps:
    words: dict[str, Counter] = field(default_factory=dict)
    terms: dict[tuple[str, ...], list[str]] = field(default_factory=dict)

    @classmethod
    def from_pairs(cls, pairs: list[dict]) -> RealSwaps:
        swaps = cls()
        for pair in pairs:
            spun, correct = pair["tortured"].lower().split(), pair["correct"].lower().split()
            if not spun or not correct or spun == correct:
                continue
            if len(spun) == len(correct):
                changes = [([s], c) for s, c in zip(spun, correct) if s != c]
            else:
                run, original = _differing_run(spun, correct)
                changes = [(run, original[0])] if len(original) == 1 and run else []
            for written, original in changes:
                if original not in FUNCTION_WORDS:
                    spun_text = " ".join(written[:-1] + [lemma_key(written[-1])])
                    swaps.words.setdefault(lemma_key(original), Counter())[spun_text] += 1
            if any(w not in FUNCTION_WORDS for w in correct):
                swaps.terms.setdefault(tuple(correct), []).append(pair["tortured"])
        return swaps

    @classmethod
    def read(cls, path: Path) -> RealSwaps:
        """From a JSON-lines file of {"tortured", "correct"} pairs."""
        lines = Path(path).read_text(encoding="utf-8").splitlines()
        return cls.from_pairs([json.loads(line) for line in lines if line.strip()])

    def draw(self, lemma: str, rng: random.Random) -> str | None:
        """A spun word for `lemma`, drawn as often as real spinners wrote it; None if unknown."""
        counts = self.words.get(lemma)
        if not counts:
            return None
        options = sorted(counts)
        return rng.choices(options, weights=[counts[o] for o in options])[0]
