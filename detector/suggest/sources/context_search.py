"""The word search again, steered by the words around the flagged phrase.

The word search (words.py) keeps the rewrites whose pieces are the most common words,
whatever their neighbours: in a phrase of three or more words where a spinner swapped
two ("house to service sin" for "order to service debt") the right pair of swaps is one
of hundreds of combinations and often not among those kept. Here the same run-by-run
originals are combined in a beam search that keeps the rewrites that read best by the
collocation bigrams, from the word before the phrase to the word after it, so the
combinations that fit their sentence survive. Its best PROPOSED rewrites join the
other candidates, as Source.STEERED, for the ranker to judge. BEAM and PROPOSED are
where wider searches stopped finding more (docs/experiments.md).
"""

from __future__ import annotations

import math

from detector.inflection import apply_casing, casing
from detector.suggest.contracts import Candidate, Source
from detector.suggest.evidence.collocations import neighbours, tokens
from detector.suggest.sources.words import KEPT_WORD_PRIOR, MAX_WORDS, WordCandidates
from detector.words import ENGLISH_WORD, FUNCTION_WORDS

BEAM = 50  # partial rewrites kept at each word
PROPOSED = 50


class ContextSearch:
    def __init__(self, words: WordCandidates, collocations):
        """`words`: the word search, whose run-by-run originals this combines;
        `collocations`: collocations.Collocations."""
        self.words = words
        self.collocations = collocations

    def candidates_at(self, text: str, start: int, end: int) -> list[Candidate]:
        """The rewrites of text[start:end] that read best between its neighbours, best first."""
        phrase = text[start:end]
        words = ENGLISH_WORD.findall(phrase)
        if not words or len(words) > MAX_WORDS:
            return []
        transition = self.collocations.transition
        (before,), (after,) = neighbours(text, start, end, 1)
        kept_cost = math.log(KEPT_WORD_PRIOR)
        # partial rewrites ending at each word index: (bigram score, last token, pieces,
        # sum of the pieces' priors, changed)
        partial: dict[int, list[tuple[float, str, list[str], float, bool]]] = {0: [(0.0, before, [], 0.0, False)]}
        for i in range(len(words)):
            beam = sorted(partial.pop(i, []), key=lambda p: -p[0])[:BEAM]
            if not beam:
                continue
            for stop, choices in self.words.run_options(words, i):
                for piece, prior in choices:
                    piece_tokens = tokens(piece)
                    if not piece_tokens:
                        continue
                    kept = piece == words[i] and stop == i + 1
                    cost = kept_cost if kept and words[i].lower() not in FUNCTION_WORDS else 0.0
                    cost += sum(transition(a, b) for a, b in zip(piece_tokens, piece_tokens[1:]))
                    grown = partial.setdefault(stop, [])
                    for score, last, pieces, priors, changed in beam:
                        grown.append((score + cost + transition(last, piece_tokens[0]), piece_tokens[-1], pieces + [piece], priors + prior, changed or not kept))
        final = sorted(((score + transition(last, after), pieces, priors) for score, last, pieces, priors, changed in partial.get(len(words), []) if changed), key=lambda f: -f[0])
        pattern = casing(phrase)
        out: dict[str, Candidate] = {}
        for _, pieces, priors in final[:PROPOSED]:
            rewrite = apply_casing(" ".join(pieces), pattern)
            # the prior as the word search gives it: from the mean of its pieces' priors
            out.setdefault(rewrite.lower(), Candidate(rewrite, 0.1 + 0.3 * priors / len(pieces), Source.STEERED))
        return list(out.values())
