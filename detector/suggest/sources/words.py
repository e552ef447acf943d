"""Chunk-by-chunk candidates for phrases that match no lexicon term: the spinner's swap
run backwards. A spinner puts a synonym from the original word's thesaurus entry in its
place, sometimes a phrase for one word ("get under way" for "open"), so the originals of
a run of one to four flagged words are the headwords whose entries list it: the reverse
thesaurus. A phrase is split into such runs (function words and, at a cost, other words
may stay as they are); the combinations with the most common originals are proposed, as
are rarer originals of the whole phrase, of single words and of the phrase without an edge
word, and a judge that reads the context picks among them.
"""

from __future__ import annotations

import heapq

from detector.inflection import (
    MATCH_UPOS,
    adjective_or_unknown_form,
    apply_casing,
    carry_over,
    casing,
    has_form,
    inflect_phrase,
    inflected_forms,
    inflection_tag,
    lemma_key,
    parts_of_speech,
    verb_form,
)
from detector.suggest.contracts import Candidate, Source
from detector.thesaurus import Thesaurus
from detector.words import ENGLISH_WORD, FUNCTION_WORDS, wordfreq_frequency, zipf

# A hyphenated compound is one word, as in the thesaurus ("music-making", "well-nigh")
# Spinners draw from the first synonyms of an entry; deeper ones make the search noisy.
REVERSE_DEPTH = 20
MAX_RUN = 4
MAX_WORDS = 8
PER_RUN = 30
# The sizes below are where validation restoration stopped rising for their cost
# (docs/experiments.md, "Tuned settings").
# Rewrites for the judges to choose from.
MAX_CANDIDATES = 200
# Proposed besides the search: the most common originals of a whole phrase of up to MAX_RUN
# words, and of each of its words with the others kept.
WHOLE_PHRASE_ORIGINALS = 200
ONE_WORD_ORIGINALS = 100
# And the originals of all but an edge word, that word kept (keeping both edge words adds
# nothing).
EDGE_KEPT_ORIGINALS = 100
# A synonym that lemminflect cannot inflect (no noun or verb it knows: "music-making" for
# "repercussions", "yr" for "years"), one in a base form that a spinner may have left
# uninflected ("urinate" for "makes") and a phrase whose words carry no inflection ("let
# know" for "reports") tell nothing sure of the original's inflection: their most common
# one-word originals are also proposed in each of their noun and verb inflections, as
# Source.GUESSED, which the ranker tells apart (proposed unmarked, they cost restoration).
INFLECTED_ORIGINALS = 50
KEPT_WORD_PRIOR = 0.25  # a content word left as it is: possible, but most flagged words were swapped


def reverse_thesaurus(thesaurus: Thesaurus, depth: int = REVERSE_DEPTH) -> dict[str, set[str]]:
    """word → the headwords whose entries list it among their first `depth` synonyms."""
    originals: dict[str, set[str]] = {}
    for head, by_pos in thesaurus.entries.items():
        for synonyms in by_pos.values():
            for synonym in synonyms[:depth]:
                originals.setdefault(synonym, set()).add(head)
    return originals


class WordCandidates:
    def __init__(self, originals, frequency=wordfreq_frequency):
        """`originals`: reverse_thesaurus() of the thesaurus, or the index's copy of it;
        `frequency`: word → frequency in English."""
        self.originals = originals
        self.frequency = frequency

    def _originals(self, words: list[str], i: int, k: int, limit: int) -> list[tuple[str, float]]:
        """(original, prior) for the run of k words at i: the `limit` most common originals,
        single words in the flagged word's inflection, runs as listed or, found through the
        base form of an inflected last noun or first verb, inflected like it."""
        run = [w.lower() for w in words[i : i + k]]
        # head → the tag to inflect it to (None: as it is)
        heads = dict.fromkeys(self.originals.get(" ".join(run), set()))
        # a noun phrase carries its plural on its last word ("free trades" for "industries"):
        # originals found through that word's lemma are inflected like it
        last_tag = inflection_tag(run[-1]) if k > 1 else None
        for head in self.originals.get(" ".join(run[:-1] + [lemma_key(run[-1])]), ()):
            heads.setdefault(head, last_tag)
        # a phrasal verb carries its inflection on its first word ("taking care of"): its
        # originals are those of the base form, inflected the same way ("processing")
        if k > 1 and (verb := verb_form(run[0])):
            for head in self.originals.get(" ".join([verb[0], *run[1:]]), ()):
                heads.setdefault(head, verb[1])
        # a spinner's comparative or made-up inflection ("stylishest" for "latest"): the
        # one-word originals of its lemma that have such a form, inflected the same way
        if k == 1 and not heads and (form := adjective_or_unknown_form(run[0])):
            for head in self.originals.get(form[0], ()):
                if " " not in head and has_form(head, form[1]):
                    heads.setdefault(head, form[1])
        heads.pop(" ".join(run), None)
        # ties broken by the word itself: set order changes from run to run
        ranked = sorted(((h, zipf(self.frequency(h)) / 8) for h in heads), key=lambda item: (-item[1], item[0]))[:limit]
        return [(carry_over(h, words[i].lower()) if k == 1 and not heads[h] else inflect_phrase(h, heads[h]), p) for h, p in ranked]

    @staticmethod
    def _guessed_inflections(run: list[str], originals: list[tuple[str, float]]) -> list[tuple[str, float]]:
        """The noun and verb inflections of the most common one-word `originals` (as
        _originals gives them) of a run of words none of which shows an inflection to carry over."""
        if any((parts_of_speech(w) & set(MATCH_UPOS) and inflection_tag(w) is not None) or adjective_or_unknown_form(w) for w in run):
            return []
        out = []
        for text, prior in originals[:INFLECTED_ORIGINALS]:
            if " " not in text:
                forms = inflected_forms(text.lower()) - {text.lower()}
                out += [(apply_casing(form, casing(run[0])), prior) for form in sorted(forms)]
        return out

    def run_options(self, words: list[str], i: int) -> list[tuple[int, list[tuple[str, float]]]]:
        """(end index, [(original, prior)]) for each run of words starting at i."""
        options = [(i + k, found) for k in range(1, min(MAX_RUN, len(words) - i) + 1) if (found := self._originals(words, i, k, PER_RUN))]
        word = words[i]
        options.append((i + 1, [(word, 0.5 if word.lower() in FUNCTION_WORDS else KEPT_WORD_PRIOR)]))
        return options

    def candidates(self, phrase: str) -> list[Candidate]:
        words = ENGLISH_WORD.findall(phrase)
        if not words or len(words) > MAX_WORDS:
            return []
        # best partial rewrites ending at each word index: (mean prior, sum of priors, pieces,
        # changed); extensions hold their parent's pieces and the new one until they survive
        # the cut, so the many that do not never build a list
        partial: dict[int, list[tuple[float, float, list[str], bool]]] = {0: [(0.0, 0.0, [], False)]}
        grown: dict[int, list[tuple[float, float, list[str], str, bool]]] = {}
        for i in range(len(words)):
            if i in grown:
                best = heapq.nlargest(MAX_CANDIDATES * 2, grown.pop(i), key=lambda g: g[0])  # stable: ties keep their order
                partial[i] = [(mean, total, pieces + [text], changed) for mean, total, pieces, text, changed in best]
            options = self.run_options(words, i)  # the same for every partial rewrite ending at i
            for _, total, pieces, changed in partial.get(i, []):
                for end, choices in options:
                    for text, prior in choices:
                        kept = text == words[i] and end == i + 1
                        grown.setdefault(end, []).append(((total + prior) / (len(pieces) + 1), total + prior, pieces, text, changed or not kept))
        final = heapq.nlargest(MAX_CANDIDATES * 2, grown.get(len(words), []), key=lambda g: g[0])  # stable: ties keep their order
        out: dict[str, Candidate] = {}

        pattern = casing(phrase)

        def propose(pieces: list[str], prior: float, source: Source = Source.WORDS) -> None:
            text = apply_casing(" ".join(pieces), pattern)
            out.setdefault(text.lower(), Candidate(text, 0.1 + 0.3 * prior, source))

        # Rewrites made of many common words outscore, in the search, one rare original for
        # the whole phrase or for one of its words (the others kept): those are proposed on
        # their own
        if len(words) <= MAX_RUN:
            whole = self._originals(words, 0, len(words), WHOLE_PHRASE_ORIGINALS)
            for text, prior in whole:
                propose([text], prior)
            if len(words) == 1:
                singles = [whole]
            else:
                singles = [self._originals(words, j, 1, ONE_WORD_ORIGINALS) for j in range(len(words))]
                for j, found in enumerate(singles):
                    for text, prior in found:
                        propose(words[:j] + [text] + words[j + 1 :], prior)
            # after the whole-phrase and one-word originals, so a form they carry over is not "guessed"
            for j, found in enumerate(singles):
                for text, prior in self._guessed_inflections(words[j : j + 1], found):
                    propose(words[:j] + [text] + words[j + 1 :], prior, Source.GUESSED)
            if len(words) > 1:
                for text, prior in self._guessed_inflections(words, whole):
                    propose([text], prior, Source.GUESSED)
        # Findings often reach one word past the swapped run ("general free choice" for "free
        # choice"): the originals of the phrase without its first or last word
        if 3 <= len(words) <= MAX_RUN + 1:
            for text, prior in self._originals(words, 1, len(words) - 1, EDGE_KEPT_ORIGINALS):
                propose(words[:1] + [text], prior)
            for text, prior in self._originals(words, 0, len(words) - 1, EDGE_KEPT_ORIGINALS):
                propose([text] + words[-1:], prior)
        for _, total, pieces, text, changed in final:
            if changed:
                propose(pieces + [text], total / (len(pieces) + 1))
        return list(out.values())
