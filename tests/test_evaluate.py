"""Restoration accuracy as `unspin-dev eval` counts it (detector/training/evaluate.py)."""

from detector.training.evaluate import RestorationCounts
from detector.findings import Finding, Suggestion


def finding(text: str, phrase: str, *suggestions: str) -> Finding:
    start = text.index(phrase)
    return Finding("SPUN", "warning", start, start + len(phrase), 0.9, "model", "", [Suggestion(s, 1.0) for s in suggestions])


def spans(text: str, *pairs: tuple[str, str]) -> list[tuple[tuple[int, int], list[str]]]:
    return [((text.index(spun), text.index(spun) + len(spun)), [original]) for spun, original in pairs]


def test_top_one_and_top_three_count_the_rank_of_the_right_suggestion():
    text = "The Unfamiliar Clergyman spoke."
    gold = spans(text, ("Unfamiliar Clergyman", "Foreign Minister"))
    counts = RestorationCounts()
    counts.add(text, 0, gold, [finding(text, "Unfamiliar Clergyman", "foreign priest", "Foreign Minister")])
    counts.add(text, 0, gold, [finding(text, "Unfamiliar Clergyman", "Foreign-Minister")])
    assert counts.metrics() == {"found": 2, "top1": 0.5, "top3": 1.0}
    assert counts.misses[0]["expected"] == "foreign minister"


def test_a_finding_over_two_gold_spans_must_restore_both():
    text = "The competition Labour company voted."
    gold = spans(text, ("competition", "opposition"), ("company", "party"))
    whole = finding(text, "competition Labour company", "opposition Labour party")
    half = finding(text, "competition Labour company", "opposition Labour company")
    counts = RestorationCounts()
    for target in (0, 1):
        counts.add(text, target, gold, [whole])
    assert counts.metrics() == {"found": 2, "top1": 1.0, "top3": 1.0}
    counts = RestorationCounts()
    counts.add(text, 0, gold, [half])
    assert counts.metrics()["top1"] == 0.0


def test_a_gold_span_the_findings_miss_stays_out_of_the_count():
    text = "The Unfamiliar Clergyman spoke of atomic outfitted states."
    gold = spans(text, ("Unfamiliar Clergyman", "Foreign Minister"), ("atomic outfitted", "nuclear-armed"))
    counts = RestorationCounts()
    counts.add(text, 1, gold, [finding(text, "Unfamiliar Clergyman", "Foreign Minister")])
    assert counts.metrics() == {"found": 0, "top1": 0.0, "top3": 0.0}
    counts.add(text, 1, gold, [finding(text, "atomic outfitted", "nuclear armed")])
    assert counts.metrics() == {"found": 1, "top1": 1.0, "top3": 1.0}


def test_candidate_coverage_counts_changed_words_whose_original_is_a_candidate(tmp_path):
    from types import SimpleNamespace

    from detector.training.evaluate import evaluate_coverage

    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text('{"tortured": "premium rates", "correct": "interest rates"}\n{"tortured": "resistance pioneer", "correct": "opposition leader"}\n{"tortured": "savage power", "correct": "brute-force"}\n', encoding="utf-8")
    known = {"premium": [("bonus", 0.0), ("Interest", -1.0)], "resistance": [("opposition", 0.0)], "pioneer": [("founder", 0.0)]}
    report = evaluate_coverage(SimpleNamespace(suggesters=[]), pairs, lambda word: known.get(word, []))
    # three changed words of the two equal-length pairs; "interest" and "opposition" are candidates
    assert (report["changed_words"], report["word_coverage"]) == (3, round(2 / 3, 4))
    assert report["pairs"] == 3 and report["term_top1"] == 0.0
