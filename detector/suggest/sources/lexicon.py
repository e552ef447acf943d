"""Reverse-thesaurus search over the canonical lexicon.

A lexicon term is a candidate for a flagged phrase when the phrase's words align with
the term's words in order, each pair being the same lemma or synonyms in either
direction and in any sense (spinners ignore sense). One phrase word may stand for two
term words and up to three phrase words for one ("atomic outfitted" → "nuclear-armed",
"top dog official" → "chief executive"). Function words must match exactly.
Candidates are ranked by how much of the alignment is exact or synonymous, then by the
term's corpus count (collocation strength).
"""

from __future__ import annotations

import math
from functools import lru_cache

from detector.inflection import carry_over, lemma_key
from detector.lexicon import Term
from detector.suggest.contracts import Candidate, Source
from detector.thesaurus import Thesaurus
from detector.words import FUNCTION_WORDS, LOWER_WORD

MAX_CHUNK = 3


def _searched_terms(lexicon: list[Term]):
    """(term, its words) for the terms worth searching: several words, or hyphenated."""
    for term in lexicon:
        words = tuple(LOWER_WORD.findall(term.text.lower().replace("-", " ")))
        if len(words) >= 2 or "-" in term.text:
            yield term, words


def _spellings(phrase: str) -> set[str]:
    """The phrase, its lemma and its hyphenated form: a chunk of span words may be a
    hyphenated compound in the thesaurus ("man hour" for "man-hour")."""
    return {phrase, lemma_key(phrase), phrase.replace(" ", "-")}


def _all_synonyms(thesaurus: Thesaurus, phrase: str) -> frozenset[str]:
    return frozenset(s for form in _spellings(phrase) for s in thesaurus.synonyms(form))


def lexicon_stand_ins(lexicon: list[Term], thesaurus: Thesaurus) -> dict[str, set[str]]:
    """word → the lexicon words it may stand for (itself, its lemma, its synonyms)."""
    found: dict[str, set[str]] = {}
    for word in {w for _, words in _searched_terms(lexicon) for w in words} - FUNCTION_WORDS:
        for related in {word, lemma_key(word), *_all_synonyms(thesaurus, word)}:
            found.setdefault(related, set()).add(word)
    return found


class LexiconCandidates:
    def __init__(self, lexicon: list[Term], thesaurus: Thesaurus, stand_ins=None):
        """`stand_ins`: lexicon_stand_ins(lexicon, thesaurus), or the index's copy of it."""
        self.thesaurus = thesaurus
        self.terms = list(_searched_terms(lexicon))
        self.by_first: dict[str, list[int]] = {}
        for index, (_, words) in enumerate(self.terms):
            self.by_first.setdefault(words[0], []).append(index)
        self.stand_ins = lexicon_stand_ins(lexicon, thesaurus) if stand_ins is None else stand_ins
        self.max_count = max((t.count for t, _ in self.terms), default=1)

    @lru_cache(maxsize=50_000)
    def _synonyms(self, phrase: str) -> frozenset[str]:
        return _all_synonyms(self.thesaurus, phrase)

    def _relation(self, chunk: str, term_part: str) -> float:
        """1 for the same word or lemma, 0.8 for synonyms either way, 0 otherwise."""
        if chunk == term_part or lemma_key(chunk) == lemma_key(term_part):
            return 1.0
        if term_part in FUNCTION_WORDS or chunk in FUNCTION_WORDS:
            return 0.0
        if term_part in self._synonyms(chunk) or _spellings(chunk) & self._synonyms(term_part):
            return 0.8
        return 0.0

    def _align(self, span: tuple[str, ...], term: tuple[str, ...]) -> float:
        """Best mean relation over monotone alignments covering both sequences, or 0."""
        n, m = len(span), len(term)
        best = {(0, 0): 0.0}
        for i in range(n + 1):
            for j in range(m + 1):
                if (i, j) not in best:
                    continue
                here = best[(i, j)]
                moves = []
                for k in range(1, MAX_CHUNK + 1):
                    if i + k <= n and j < m:
                        moves.append(((i + k, j + 1), self._relation(" ".join(span[i : i + k]), term[j])))
                if i < n and j + 2 <= m:
                    joined = self._relation(span[i], " ".join(term[j : j + 2]))
                    hyphened = self._relation(span[i], "-".join(term[j : j + 2]))
                    moves.append(((i + 1, j + 2), max(joined, hyphened)))
                for key, score in moves:
                    if score and best.get(key, -1.0) < here + score:
                        best[key] = here + score
        if (n, m) not in best:
            return 0.0
        return best[(n, m)] / max(n, m)

    def candidates(self, phrase: str) -> list[Candidate]:
        span = tuple(LOWER_WORD.findall(phrase.lower().replace("-", " ")))
        if not span:
            return []
        first_words: set[str] = set()
        for k in range(1, min(MAX_CHUNK, len(span)) + 1):
            chunk = " ".join(span[:k])
            for form in _spellings(chunk):
                first_words |= self.stand_ins.get(form, set())
            first_words |= {w for w in self._synonyms(chunk) if w in self.by_first}
        first_words.add(span[0])
        out = []
        for word in sorted(first_words):  # a set: sorted so ties rank the same in every run
            for index in self.by_first.get(word, ()):
                term, words = self.terms[index]
                if words == span:
                    continue
                match = self._align(span, words)
                if match:
                    strength = math.log1p(term.count) / math.log1p(self.max_count)
                    text = carry_over(term.text.lower() if term.text.istitle() else term.text, phrase)
                    out.append(Candidate(text, 0.55 + 0.25 * match + 0.15 * strength, Source.LEXICON))
        return out
