"""The fine-tuned classifier as a judge of candidates: a candidate that reads as natural
in its sentence (low spun probability for its words) beats one the classifier still
flags. Its verdict is averaged with the candidate's prior; table candidates keep theirs."""

from __future__ import annotations

from detector.document import Document

CONTEXT = 160
JUDGE_WEIGHT = 0.5


class ClassifierJudge:
    def __init__(self, span_model):
        self.model = span_model

    def rescore(self, doc: Document, pending: list) -> None:
        texts, places = [], []
        for finding, ranked in pending:
            left = doc.text[max(0, finding.start - CONTEXT) : finding.start]
            right = doc.text[finding.end : finding.end + CONTEXT]
            for candidate in ranked:
                if candidate.source == "table":
                    continue
                texts.append(left + candidate.text + right)
                places.append((candidate, len(left), len(left) + len(candidate.text)))
        if not texts:
            return
        for (candidate, start, end), words in zip(places, self.model.word_probabilities(texts)):
            inside = [p for s, e, p in words if start <= s and e <= end]
            natural = 1.0 - (sum(inside) / len(inside) if inside else 0.5)
            candidate.prior = (1 - JUDGE_WEIGHT) * candidate.prior + JUDGE_WEIGHT * natural
