"""The fine-tuned span classifier as a second judge: among the ranker's best few
candidates, one that the classifier still reads as spun in its sentence loses to one it
reads as natural.

Each of a finding's first TOP searched candidates is put in place of the flagged phrase,
with SIDE characters of the text either side, and the classifier scores the candidate's
words there. The ranker's share is multiplied by (1 − p_spun) ** WEIGHT, the
candidates after the first TOP stay behind them, and the scores are rescaled to their
former sum. On 1,000 validation passages top-1
restoration went from 0.397 to 0.413 (top-3 0.493 → 0.494) with TOP 3, SIDE 40 and WEIGHT 3 (0.4125 with SIDE 60).
Earlier, with TOP 5 and SIDE 150 (0.380 → 0.399 before the phrasal-verb candidates), the
judge cost the benchmark its 3× margin over the baseline; a candidate costs about one
network window of its context. On its own it ranked worse than the collocations (0.293
against 0.395; collocations.py). Behind the trained ranker (ranker.py) it still adds: top-1
0.522 → 0.530 on the first 1,000 validation passages (0.532 with WEIGHT 1.5: kept at 3).
"""

from __future__ import annotations

from detector.document import Document
from detector.suggest import LISTED

TOP = 3
WEIGHT = 3.0
SIDE = 40
NAME = "classifier"


class ClassifierJudge:
    def __init__(self, model):
        """`model`: a SpanModel (detector/model/detector.py)."""
        self.model = model

    def rescore(self, doc: Document, pending: list) -> None:
        variants, places = [], []
        for finding, ranked in pending:
            before, after = max(0, finding.start - SIDE), min(len(doc.text), finding.end + SIDE)
            for candidate in ranked[:TOP]:
                if candidate.source != LISTED:
                    offset = finding.start - before
                    variants.append(doc.text[before : finding.start] + candidate.text + doc.text[finding.end : after])
                    places.append((candidate, offset, offset + len(candidate.text)))
        if not variants:
            return
        totals = [sum(c.prior for c in ranked) for _, ranked in pending]
        for (candidate, start, end), words in zip(places, self.model.word_probabilities(variants)):
            inside = [p for word_start, word_end, p in words if word_start < end and start < word_end]
            spun = sum(inside) / len(inside) if inside else 0.5
            candidate.prior *= max(1.0 - spun, 1e-6) ** WEIGHT
        for (_, ranked), total in zip(pending, totals):
            judged = sorted(ranked[:TOP], key=lambda c: -c.prior)
            lowest = min((c.prior for c in judged), default=0.0)
            for candidate in ranked[TOP:]:  # the ranker's lesser choices stay behind
                candidate.prior = min(candidate.prior, lowest * 0.999)
            ranked[:TOP] = judged
            now = sum(c.prior for c in ranked)
            for candidate in ranked if now > 0 else ():  # shares again, as the ranker left them
                candidate.prior *= total / now
