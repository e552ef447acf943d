"""A general English trigram model: how plainly a phrase reads among its neighbours.

pocketsphinx ships a US-English trigram model (model/en-us/en-us.lm.bin: 2.0M bigrams,
1.7M trigrams of general text; the gains of all 14,791 rescored spans of the channel's
fit took 0.27 s). Alone it is a weak reader of spin (it prefers American, generic words),
but it knows fixed expressions: "a mild heart attack" reads 13.8 nats likelier than "a
mild heart assault", "of lung cancer last" 16.7 likelier than "of lung canker last",
where SmolLM2, over the whole of the fit's planted sentences, found 7.7 and 14.5. The
channel detector's calibration reads it as one feature among others.
"""

from __future__ import annotations

import importlib.util
import re
from functools import lru_cache
from pathlib import Path

from detector.words import LOWER_WORD

SENTENCE_END = re.compile(r"[.!?]\s|\n")
START = "<s>"
UNKNOWN = -15.0  # nats for a word the model does not list (its own answer is log 0)
AFTER = 2  # words after a phrase whose probability it changes
CONTEXT = 40  # characters read either side of a phrase for its neighbouring words
MISSING = "pocketsphinx is not installed (pip install '.[lm]')"


def available() -> bool:
    return importlib.util.find_spec("pocketsphinx") is not None


class Trigrams:
    def __init__(self, path: Path):
        from pocketsphinx import Config, LogMath, NGramModel

        self._log_math = LogMath()
        # the model's own defaults (no audio front end is set up by a bare Config)
        self._model = NGramModel(Config(), self._log_math, str(path))
        self._zero = self._log_math.get_zero()
        self._prob = lru_cache(maxsize=200_000)(self._prob)

    def _prob(self, word: str, previous: str, before: str) -> float:
        value = self._model.prob([word, previous, before])
        return UNKNOWN if value <= self._zero else max(UNKNOWN, self._log_math.log_to_ln(value))

    def log_probability(self, words: list[str], before: list[str], after: list[str]) -> float:
        """log P(words, then after | the two words before), in nats; `before` may hold
        START for a sentence's start."""
        sequence = [*before[-2:], *words, *after[:AFTER]]
        sequence = [START] * (2 - len(before[-2:])) + sequence
        return sum(self._prob(sequence[i], sequence[i - 1], sequence[i - 2]) for i in range(2, len(sequence)))

    def gain(self, text: str, start: int, end: int, replacement: str) -> float:
        """How much likelier `replacement` reads than text[start:end] among its neighbours."""
        # the words before, within the phrase's sentence; the words after, within it too
        before = LOWER_WORD.findall(SENTENCE_END.split(text[max(0, start - CONTEXT) : start])[-1].lower())
        after = LOWER_WORD.findall(SENTENCE_END.split(text[end : end + CONTEXT])[0].lower())
        written, candidate = LOWER_WORD.findall(text[start:end].lower()), LOWER_WORD.findall(replacement.lower())
        return self.log_probability(candidate, before, after) - self.log_probability(written, before, after)


@lru_cache(maxsize=1)
def shipped_trigrams() -> Trigrams:
    import pocketsphinx

    return Trigrams(Path(pocketsphinx.__file__).parent / "model" / "en-us" / "en-us.lm.bin")
