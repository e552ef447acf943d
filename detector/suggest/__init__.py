"""Suggesters: ranked canonical terms for every spun-phrase finding.

Candidates come from three sources, most trusted first: the mapping tables (table.py:
the hand-made and users' settle a phrase, the generated one's terms are ranked with the
rest), a reverse-thesaurus search over the canonical lexicon (lexicon.py) and the thesaurus
run backwards, run by run of words (words.py), whose run-by-run originals are combined
again in a search steered by the words around the phrase (context_search.py). Judges
re-rank them by how natural each candidate reads in its sentence: a trained ranker
(ranker.py) scores them from collocation statistics (collocations.py), the spinner's odds
of making the flagged phrase from each (channel.py), the document and the story's topic (topics.py), the span
classifier (classifier.py) re-ranks the best few, then the optional SmolLM2 language model
(lm.py) weighs its reading of the best of those with their shares. Every source
returns candidates that already carry the flagged text's inflection and casing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from detector.document import Document
from detector.findings import Finding, Suggestion

MAX_SUGGESTIONS = 5
LISTED = "table"  # the source of candidates from hand-made and users' table entries: settled, safe to apply
CHANNEL_SOURCE = "channel"  # detectors/channel.py's findings carry their own first suggestion
JUDGED_CANDIDATES = 15  # kept per finding after each judge, for the next (slower) one


@dataclass
class Candidate:
    text: str
    prior: float
    source: str


def set_shares(candidates: list[Candidate], log_scores: list[float]) -> None:
    """Set each candidate's prior to its share of the probability among them (a softmax
    over a judge's log scores), so judged scores read as confidences."""
    top = max(log_scores)
    weights = [math.exp(score - top) for score in log_scores]
    total = sum(weights)
    for candidate, weight in zip(candidates, weights):
        candidate.prior = weight / total


def wordfreq_frequency(word: str) -> float:
    """wordfreq's frequency of an English word (imported on first use: 0.2 s)."""
    from wordfreq import word_frequency

    return word_frequency(word, "en")


def zipf(frequency: float) -> float:
    """A frequency on the Zipf scale, rounded as wordfreq's zipf_frequency rounds it."""
    return round(math.log10(max(frequency, 1e-9)) + 9, 2)


class Lazy:
    """A candidate source or judge built on first use: opening (or first building) the
    suggestion index and loading the language model cost time that a run without such
    findings never pays."""

    def __init__(self, build):
        self._build = build
        self._built = None
        self._ready = False

    def _part(self):
        if not self._ready:
            self._built, self._ready = self._build(), True
        return self._built

    def candidates(self, phrase: str) -> list[Candidate]:
        return self._part().candidates(phrase)

    def candidates_at(self, text: str, start: int, end: int) -> list[Candidate]:
        return self._part().candidates_at(text, start, end)

    def rescore(self, doc: Document, pending: list) -> None:
        judge = self._part()
        if judge is not None:
            judge.rescore(doc, pending)


class SpinSuggester:
    """Fills `suggestions` of SPUN findings from the candidate sources, judged in context.

    `authoritative` sources (the tables) end the search when they have candidates;
    the others are all consulted and ranked together: the `searched` ones read the
    flagged phrase (`candidates(phrase)`), the `steered` ones its sentence too
    (`candidates_at(text, start, end)`).
    """

    def __init__(self, authoritative: list, searched: list, judges: list, name: str, steered: list | tuple = ()):
        self.authoritative = authoritative
        self.searched = searched
        self.steered = steered
        self.judges = judges
        self.name = f"suggest:{name}"  # part of the result cache's fingerprint

    def _found(self, text: str, start: int, end: int) -> list[Candidate]:
        phrase = text[start:end]
        for source in self.authoritative:
            found = source.candidates(phrase)
            if found:
                return found
        return [c for source in self.searched for c in source.candidates(phrase)] + [c for source in self.steered for c in source.candidates_at(text, start, end)]

    def candidates(self, text: str, start: int, end: int) -> list[Candidate]:
        """The candidates for text[start:end] before judging, one per text (case aside),
        by prior."""
        phrase = text[start:end]
        candidates: dict[str, Candidate] = {}
        for candidate in self._found(text, start, end):
            key = candidate.text.lower()
            if key != phrase.lower() and (key not in candidates or candidates[key].prior < candidate.prior):
                candidates[key] = candidate
        return sorted(candidates.values(), key=lambda c: -c.prior)

    def suggest(self, doc: Document, findings: list[Finding]) -> None:
        spun = [f for f in findings if f.rule.startswith("SPUN")]
        pending = [(finding, self.candidates(doc.text, finding.start, finding.end)) for finding in spun]
        for judge in self.judges:
            if any(c.source != LISTED for _, ranked in pending for c in ranked):
                judge.rescore(doc, pending)
            for _, ranked in pending:
                ranked.sort(key=lambda c: -c.prior)
                del ranked[JUDGED_CANDIDATES:]
        for finding, ranked in pending:
            # the channel detector's candidate won a language model's reading of the whole
            # window and its right context, which no judge here reads
            first = finding.suggestions[:1] if finding.source == CHANNEL_SOURCE else []
            rest = [Suggestion(c.text, min(1.0, c.prior), c.source == LISTED) for c in ranked if not first or c.text.lower() != first[0].text.lower()]
            finding.suggestions = (first + rest)[:MAX_SUGGESTIONS]
