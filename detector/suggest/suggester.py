"""The suggester: fills the `suggestions` of SPUN findings from the candidate sources, as
the judges rank them in context."""

from __future__ import annotations

from collections.abc import Sequence

from detector.document import Document
from detector.findings import CHANNEL_SOURCE, Finding, Suggestion
from detector.rules import SPUN_PHRASE
from detector.suggest.contracts import (
    Candidate,
    CandidateSource,
    Judge,
    Ranked,
    Source,
    SteeredSource,
)

MAX_SUGGESTIONS = 5
JUDGED_CANDIDATES = 15  # kept per finding after each judge, for the next (slower) one


class Lazy:
    """A candidate source or judge built on first use: opening (or first building) the
    suggestion index and loading the language model cost time that a run without such
    findings never pays. A judge whose build returns None (an optional part that failed
    to load) leaves every ranking as it is."""

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

    def rescore(self, doc: Document, pending: Sequence[tuple[Finding, Ranked]]) -> list[Ranked]:
        judge = self._part()
        return [ranked for _, ranked in pending] if judge is None else judge.rescore(doc, pending)


class SpinSuggester:
    """`authoritative` sources (the tables) end the search when they have candidates;
    the others are all consulted and ranked together: the `searched` ones read the
    flagged phrase, the `steered` ones its sentence too. Each judge in turn re-ranks every
    finding's candidates, and the best JUDGED_CANDIDATES go on to the next.
    """

    def __init__(
        self,
        authoritative: list[CandidateSource],
        searched: list[CandidateSource],
        judges: list[Judge],
        name: str,
        steered: Sequence[SteeredSource] = (),
    ):
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

    def candidates(self, text: str, start: int, end: int) -> Ranked:
        """The candidates for text[start:end] before judging, one per text (case aside),
        by prior."""
        phrase = text[start:end]
        candidates: dict[str, Candidate] = {}
        for candidate in self._found(text, start, end):
            key = candidate.text.lower()
            if key != phrase.lower() and (key not in candidates or candidates[key].prior < candidate.prior):
                candidates[key] = candidate
        return Ranked.by_prior(list(candidates.values()))

    def suggest(self, doc: Document, findings: list[Finding]) -> None:
        spun = [f for f in findings if f.rule == SPUN_PHRASE.code]
        pending = [(finding, self.candidates(doc.text, finding.start, finding.end)) for finding in spun]
        for judge in self.judges:
            if any(c.source != Source.LISTED for _, ranked in pending for c in ranked.candidates):
                pending = list(zip(spun, judge.rescore(doc, pending)))
            pending = [(finding, ranked.top(JUDGED_CANDIDATES)) for finding, ranked in pending]
        for finding, ranked in pending:
            # the channel detector's candidate won a language model's reading of the whole
            # window and its right context, which no judge here reads
            first = finding.suggestions[:1] if finding.source == CHANNEL_SOURCE else []
            rest = [
                Suggestion(c.text, min(1.0, score), c.source == Source.LISTED)
                for c, score in ranked
                if not first or c.text.lower() != first[0].text.lower()
            ]
            finding.suggestions = (first + rest)[:MAX_SUGGESTIONS]
