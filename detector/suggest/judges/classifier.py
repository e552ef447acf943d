"""The fine-tuned span classifier as a second judge: among the ranker's best few
candidates, one that the classifier still reads as spun in its sentence loses to one it
reads as natural.

Each of a finding's first TOP searched candidates is put in place of the flagged phrase,
with SIDE characters of the text either side, and the classifier scores the candidate's
words there. The ranker's share is multiplied by (1 − p_spun) ** WEIGHT, the
candidates after the first TOP stay behind them, and the scores are rescaled to their
former sum. A candidate costs about one network window of its context, so only the best
TOP are read; on its own the classifier ranks worse than the collocations, behind the
ranker it still adds (docs/experiments.md).
"""

from __future__ import annotations

from collections.abc import Sequence

from detector.document import Document
from detector.findings import Finding
from detector.suggest.contracts import Ranked, Source

TOP = 3
WEIGHT = 3.0
SIDE = 40
NAME = "classifier"


class ClassifierJudge:
    def __init__(self, model):
        """`model`: a SpanModel (detector/model/span_model.py)."""
        self.model = model

    def rescore(self, doc: Document, pending: Sequence[tuple[Finding, Ranked]]) -> list[Ranked]:
        variants, places = [], []
        for n, (finding, ranked) in enumerate(pending):
            before, after = max(0, finding.start - SIDE), min(len(doc.text), finding.end + SIDE)
            for i, candidate in enumerate(ranked.candidates[:TOP]):
                if candidate.source != Source.LISTED:
                    offset = finding.start - before
                    variants.append(doc.text[before : finding.start] + candidate.text + doc.text[finding.end : after])
                    places.append((n, i, offset, offset + len(candidate.text)))
        if not variants:
            return [ranked for _, ranked in pending]
        scores = [list(ranked.scores) for _, ranked in pending]
        totals = [sum(row) for row in scores]
        for (n, i, start, end), words in zip(places, self.model.word_probabilities(variants)):
            inside = [p for word_start, word_end, p in words if word_start < end and start < word_end]
            spun = sum(inside) / len(inside) if inside else 0.5
            scores[n][i] *= max(1.0 - spun, 1e-6) ** WEIGHT
        out = []
        for (_, ranked), row, total in zip(pending, scores, totals):
            judged = sorted(zip(ranked.candidates[:TOP], row[:TOP]), key=lambda pair: -pair[1])
            lowest = min((score for _, score in judged), default=0.0)
            # the ranker's lesser choices stay behind
            pairs = judged + [(c, min(score, lowest * 0.999)) for c, score in zip(ranked.candidates[TOP:], row[TOP:])]
            now = sum(score for _, score in pairs)
            if now > 0:  # shares again, as the ranker left them
                pairs = [(c, score * (total / now)) for c, score in pairs]
            out.append(Ranked.scored(pairs))
        return out
