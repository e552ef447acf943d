"""Span metrics shared by calibration and `unspin-dev eval`.

A gold span is *found* when findings cover at least half of its non-space characters;
a finding is *correct* when at least half of its non-space characters lie inside gold
spans. Precision = correct findings / findings; recall = found gold spans / gold spans.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path

from detector.rules import SPUN_PHRASE

PUNCTUATION = re.compile(r"[\s\-‐‑–—'’\"“”.,;:!?()]+")


def _covered_share(text: str, span: tuple[int, int], others: list[tuple[int, int]]) -> float:
    start, end = span
    positions = [i for i in range(start, end) if not text[i].isspace()]
    if not positions:
        return 0.0
    covered = sum(1 for i in positions if any(a <= i < b for a, b in others))
    return covered / len(positions)


def is_found(text: str, gold: tuple[int, int], predicted: list[tuple[int, int]]) -> bool:
    return _covered_share(text, gold, predicted) >= 0.5


def is_correct(text: str, predicted: tuple[int, int], gold: list[tuple[int, int]]) -> bool:
    return _covered_share(text, predicted, gold) >= 0.5


@dataclass
class SpanCounts:
    gold: int = 0
    found: int = 0
    predicted: int = 0
    correct: int = 0
    words: int = 0
    false_findings: list = field(default_factory=list)

    def add(self, text: str, gold: list[tuple[int, int]], predicted: list[tuple[int, int]]) -> None:
        self.gold += len(gold)
        self.found += sum(is_found(text, g, predicted) for g in gold)
        self.predicted += len(predicted)
        for p in predicted:
            if is_correct(text, p, gold):
                self.correct += 1
            else:
                self.false_findings.append(text[p[0] : p[1]])
        self.words += len(text.split())

    def metrics(self) -> dict:
        precision = self.correct / self.predicted if self.predicted else 1.0
        recall = self.found / self.gold if self.gold else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {
            "precision": round(precision, 4),
            "recall": round(recall, 4),
            "f1": round(f1, 4),
            "gold": self.gold,
            "found": self.found,
            "findings": self.predicted,
            "correct": self.correct,
            "words": self.words,
            "false_per_1000_words": round(1000 * (self.predicted - self.correct) / max(1, self.words), 3),
        }


def splice(text: str, start: int, end: int, replacements) -> str:
    """text[start:end] with each (span, replacement) in its span's place (spans in order, apart, inside)."""
    pieces, pos = [], start
    for (span_start, span_end), replacement in replacements:
        pieces += [text[pos:span_start], replacement]
        pos = span_end
    return "".join(pieces) + text[pos:end]


def normalise_term(text: str) -> str:
    """Lower case, hyphens, quotes and punctuation folded to single spaces (restoration checks)."""
    return " ".join(PUNCTUATION.sub(" ", text.lower()).split())


@dataclass
class RestorationCounts:
    found: int = 0
    top1: int = 0
    top3: int = 0
    misses: list = field(default_factory=list)

    def add(self, text: str, target: int, gold: list[tuple[tuple[int, int], list[str]]], findings: list) -> None:
        """Score found gold span gold[target] (each gold span: its offsets and its canonical
        forms): apply the k-th suggestion of each finding overlapping it and compare the
        window with its canonical text. A finding that also takes in another gold span
        ("competition Labour company", two spans) must restore that one too."""
        span = gold[target][0]
        overlapping = sorted((f for f in findings if f.start < span[1] and span[0] < f.end), key=lambda f: f.start)
        if not overlapping:
            return
        self.found += 1
        start, end = min(span[0], overlapping[0].start), max(span[1], max(f.end for f in overlapping))
        inside: list[tuple[tuple[int, int], list[str]]] = []
        for (gold_start, gold_end), canonical in sorted(gold):
            if gold_start < end and start < gold_end:
                start, end = min(start, gold_start), max(end, gold_end)
                inside.append(((gold_start, gold_end), canonical))
        expected = {normalise_term(splice(text, start, end, [(span, form) for (span, _), form in zip(inside, forms)])) for forms in itertools.product(*(canonical for _, canonical in inside))}
        applied = []  # the overlapping findings, each after the one before
        for f in overlapping:
            if not applied or applied[-1].end <= f.start:
                applied.append(f)
        hits = []
        for rank in range(3):
            choices = [((f.start, f.end), f.suggestions[min(rank, len(f.suggestions) - 1)].text if f.suggestions else text[f.start : f.end]) for f in applied]
            hits.append(normalise_term(splice(text, start, end, choices)) in expected)
        self.top1 += hits[0]
        self.top3 += any(hits)
        if not hits[0]:
            self.misses.append({"text": text[start:end], "expected": sorted(expected)[0], "got": [s.text for f in overlapping for s in f.suggestions[:3]]})

    def metrics(self) -> dict:
        return {
            "found": self.found,
            "top1": round(self.top1 / self.found, 4) if self.found else 0.0,
            "top3": round(self.top3 / self.found, 4) if self.found else 0.0,
        }


def spin_findings(result) -> list:
    return [f for f in result.findings if f.rule == SPUN_PHRASE.code]


def evaluate_gold(pipeline, gold_file: Path, folder: Path) -> dict:
    """Span precision/recall/F1 and restoration on gold spans (the pps_dev format)."""
    import json

    from detector.readers import read_document

    gold_by_file: dict[str, list[dict]] = {}
    for line in gold_file.read_text(encoding="utf-8").splitlines():
        if line.strip():
            item = json.loads(line)
            gold_by_file.setdefault(item["file"], []).append(item)
    spans, restoration = SpanCounts(), RestorationCounts()
    names = sorted(gold_by_file)
    docs = [read_document(name, (folder / name).read_text(encoding="utf-8")) for name in names]
    for doc, result in zip(docs, pipeline.check(docs)):
        findings = spin_findings(result)
        gold = gold_by_file[doc.path]
        gold_spans = [(g["start"], g["end"]) for g in gold]
        predicted = [(f.start, f.end) for f in findings]
        spans.add(doc.source, gold_spans, predicted)
        gold_forms = [((g["start"], g["end"]), g["canonical"]) for g in gold]
        for target, (span, _) in enumerate(gold_forms):
            if is_found(doc.source, span, predicted):
                restoration.add(doc.source, target, gold_forms, findings)
    return {"spans": spans.metrics(), "restoration": restoration.metrics(), "false_findings": spans.false_findings[:50], "restoration_misses": restoration.misses[:50]}


def evaluate_clean(pipeline, paths: list[Path]) -> dict:
    """Spin findings per 1,000 words on text known to be clean (all of them are false)."""
    from detector.checking import check_targets
    from detector.files import discover

    config = pipeline.config
    targets = discover([str(p) for p in paths], config.extensions, config.include, config.exclude)
    counts = SpanCounts()
    by_severity: dict[str, int] = {}
    for result in check_targets(pipeline, targets):
        findings = spin_findings(result)
        counts.words += result.words
        counts.predicted += len(findings)
        counts.false_findings += [f.text for f in findings]
        for f in findings:
            by_severity[f.severity] = by_severity.get(f.severity, 0) + 1
    return {
        "words": counts.words,
        "false_findings": counts.predicted,
        "by_severity": by_severity,
        "false_per_1000_words": round(1000 * counts.predicted / max(1, counts.words), 3),
        "examples": counts.false_findings[:50],
    }


def synthetic_gold(row: dict) -> list[tuple[tuple[int, int], str]]:
    """A spun example's gold spans (adjacent swaps merged into one run, as findings merge
    them) with the original text of each."""
    import json

    from detector.model.features import merge_runs

    text, swaps = row["text"], json.loads(row["spans"])
    gold = []
    for start, end in merge_runs([(s["start"], s["end"]) for s in swaps], text):
        inside = sorted(((s["start"], s["end"]), s["original"]) for s in swaps if start <= s["start"] and s["end"] <= end)
        gold.append(((start, end), splice(text, start, end, inside)))
    return gold


def evaluate_synthetic(pipeline, dataset_dir: Path, split: str = "test", limit: int | None = None) -> dict:
    """Span metrics and restoration on a split of the spun datasets."""
    from datasets import load_from_disk

    from detector.document import Document

    rows = load_from_disk(str(dataset_dir))[split]
    if limit:
        rows = rows.select(range(min(limit, len(rows))))
    docs = [Document.plain(f"{split}/{i}", row["text"]) for i, row in enumerate(rows)]
    golds = [synthetic_gold(row) for row in rows]
    spans, restoration = SpanCounts(), RestorationCounts()
    for doc, gold, result in zip(docs, golds, pipeline.check(docs)):
        findings = spin_findings(result)
        predicted = [(f.start, f.end) for f in findings]
        spans.add(doc.text, [g for g, _ in gold], predicted)
        gold_forms = [(span, [original]) for span, original in gold]
        for target, (span, _) in enumerate(gold_forms):
            if is_found(doc.text, span, predicted):
                restoration.add(doc.text, target, gold_forms, findings)
    return {"spans": spans.metrics(), "restoration": restoration.metrics()}


CARRIER = "In this work we describe the {} in detail."


def evaluate_coverage(pipeline, pairs_file: Path, candidates) -> dict:
    """How far candidate generation reaches real substitutions (tortured → correct pairs):
    of the changed words of equal-length pairs, the share whose correct word is among
    `candidates(word)` ((text, prior) pairs: what the channel detector asks about); of all pairs, the share
    whose whole correct term the suggesters rank first and among their suggestions for the
    tortured phrase flagged in a neutral carrier sentence."""
    import json

    from detector.document import Document
    from detector.findings import Finding
    from detector.suggest.suggester import MAX_SUGGESTIONS

    pairs = [json.loads(line) for line in pairs_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    words = covered = top1 = listed = 0
    for pair in pairs:
        spun, correct = pair["tortured"].lower().split(), pair["correct"].lower().split()
        if len(spun) == len(correct):
            for written, original in zip(spun, correct):
                if written != original:
                    words += 1
                    covered += original in {text.lower() for text, _ in candidates(written)}
        text = CARRIER.format(pair["tortured"])
        start = text.index(pair["tortured"])
        finding = Finding(SPUN_PHRASE.code, "error", start, start + len(pair["tortured"]), 1.0, "evaluation", "")
        for suggester in pipeline.suggesters:
            suggester.suggest(Document.plain("pair", text), [finding])
        ranked = [normalise_term(s.text) for s in finding.suggestions]
        top1 += ranked[:1] == [normalise_term(pair["correct"])]
        listed += normalise_term(pair["correct"]) in ranked
    return {
        "pairs": len(pairs),
        "changed_words": words,
        "word_coverage": round(covered / max(1, words), 4),
        "term_top1": round(top1 / max(1, len(pairs)), 4),
        "term_in_suggestions": round(listed / max(1, len(pairs)), 4),
        "suggestions_per_finding": MAX_SUGGESTIONS,
    }


def evaluate_real(pipeline, shared: Path, candidates, clean_files: int | None = None) -> dict:
    """The real sets in one report: pps_dev and real/planted (spans, restoration), BBC tech
    (false findings per 1,000 words; its first `clean_files` files when given) and
    candidate coverage on real/pairs_dev."""
    dev = shared / "dev"
    tech = sorted((shared / "corpora" / "bbc" / "tech").glob("*.txt"))[:clean_files]
    return {
        "pps_dev": evaluate_gold(pipeline, dev / "pps_dev_gold.jsonl", dev / "pps_dev"),
        "planted": evaluate_gold(pipeline, dev / "real" / "planted_gold.jsonl", dev / "real" / "planted"),
        "bbc_tech": evaluate_clean(pipeline, tech),
        "pairs_dev": evaluate_coverage(pipeline, dev / "real" / "pairs_dev.jsonl", candidates),
    }
