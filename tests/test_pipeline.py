from detector.api import build_pipeline
from detector.config import Config
from detector.document import Document
from detector.findings import Finding


class OverlappingModel:
    """A detector standing in for the model: flags 'Clergyman arrived' with score 0.8."""

    name = "model"
    version = "stub"

    def detect_many(self, docs):
        out = []
        for doc in docs:
            start = doc.text.find("Clergyman arrived")
            out.append([Finding("SPUN001", "warning", start, start + len("Clergyman arrived"), 0.8, self.name, "model says")] if start >= 0 else [])
        return out


def test_overlapping_findings_from_two_detectors_merge_into_one():
    pipeline, _ = build_pipeline(Config(model=False))
    pipeline.detectors.append(OverlappingModel())
    [result] = pipeline.check([Document.plain("a.txt", "The Unfamiliar Clergyman arrived today.")])
    [finding] = result.findings
    assert (finding.text, finding.severity, finding.source, finding.score) == ("Unfamiliar Clergyman arrived", "error", "table", 0.97)
    assert finding.suggestions and finding.suggestions[0].text.startswith("Foreign Minister")


def test_threshold_applies_to_spin_findings_only():
    pipeline, _ = build_pipeline(Config(model=False, threshold=0.99))
    [result] = pipeline.check([Document.plain("a.txt", "The Unfamiliar Clergyman said the the words.")])
    assert [f.rule for f in result.findings] == ["QUAL008"]
