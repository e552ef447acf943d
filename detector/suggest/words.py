"""Word-by-word candidates for phrases that match no lexicon term: each content word is
replaced by one of its synonyms (the spinner's swap run backwards), favouring common
words; combinations of the best few per word are proposed."""

from __future__ import annotations

import itertools
import re

from wordfreq import zipf_frequency

from detector.inflection import carry_over, lemma_key
from detector.spinner import FUNCTION_WORDS
from detector.suggest import Candidate
from detector.thesaurus import Thesaurus

WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?")
PER_WORD = 4
MAX_COMBINATIONS = 12


class WordCandidates:
    def __init__(self, thesaurus: Thesaurus):
        self.thesaurus = thesaurus

    def _options(self, word: str) -> list[tuple[str, float]]:
        lower = word.lower()
        if lower in FUNCTION_WORDS or len(lower) < 3:
            return [(word, 1.0)]
        synonyms = self.thesaurus.synonyms(lemma_key(lower)) or self.thesaurus.synonyms(lower)
        scored = sorted(
            (
                (s, zipf_frequency(s, "en") / 8)
                for s in synonyms
                if len(s) >= 3 and s not in FUNCTION_WORDS and len(s.split()) <= 2
            ),
            key=lambda item: -item[1],
        )
        return [(word, 0.0)] + scored[:PER_WORD]

    def candidates(self, phrase: str) -> list[Candidate]:
        words = WORD.findall(phrase)
        if not words or len(words) > 4:
            return []
        options = [self._options(w) for w in words]
        combos = []
        for choice in itertools.product(*options):
            changed = [score for (text, score), original in zip(choice, words) if text != original]
            if not changed:
                continue
            prior = 0.1 + 0.3 * sum(changed) / len(words)
            combos.append((prior, " ".join(text for text, _ in choice)))
        combos.sort(reverse=True)
        return [Candidate(carry_over(text, phrase), prior, "words") for prior, text in combos[:MAX_COMBINATIONS]]
