"""SPUN001 from the fine-tuned span tagger (model/span_model.py): each scored span it
finds, calibrated, is a finding; in the default mode its findings give way where the
language model reads (detectors/channel.py), which rescores the words it suspects."""

from __future__ import annotations

from detector.document import Document
from detector.findings import MODEL_SOURCE, Finding
from detector.model.span_model import SpanModel
from detector.rules import SPUN_PHRASE

# Calibrated probability of being spun from which a model finding is an error (below it,
# down to the threshold, a warning); rules.SPUN_DETAILS documents the cut-offs.
ERROR_SCORE = 0.8


class ModelDetector:
    name = MODEL_SOURCE

    def __init__(self, model: SpanModel, superseded: bool = False, threshold: float | None = None):
        """`superseded`: its findings give way where the language model reads (Pipeline);
        `threshold`: the check's, when set, from which the word cut follows
        (SpanModel.word_cut)."""
        self.model = model
        self.superseded = superseded
        self.cut = model.word_cut(threshold)
        self.version = model.version + (f":cut{self.cut:.3f}" if self.cut != model.settings.word_threshold else "")

    def detect_many(self, docs: list[Document]) -> list[list[Finding]]:
        found = []
        for spans in self.model.raw_spans([d.text for d in docs], self.cut):
            findings = []
            for span in spans:
                score = self.model.calibrate(span.score)
                findings.append(
                    Finding(
                        rule=SPUN_PHRASE.code,
                        severity="error" if score >= ERROR_SCORE else "warning",
                        start=span.start,
                        end=span.end,
                        score=score,
                        source=self.name,
                        message="phrasing reads as machine-spun",
                    )
                )
            found.append(findings)
        return found
