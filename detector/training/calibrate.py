"""Calibrating span scores on validation data and choosing the default threshold.

Isotonic regression (scikit-learn) maps a span's raw score to the share of such spans
that are really spun. The default threshold is the lowest calibrated score at which, on
the validation split, precision reaches the target and the clean (unspun) passages get
at most `max_clean_rate` false findings per 1,000 words: recall stays as high as the
editor's tolerance for false alarms allows.
"""

from __future__ import annotations

import numpy as np

from detector.training.evaluate import SpanCounts, is_correct


def fit_calibration(span_model, texts: list[str], gold: list[list[tuple[int, int]]], target_precision: float = 0.9, max_clean_rate: float = 0.3):
    from sklearn.isotonic import IsotonicRegression

    raw = span_model.raw_spans(texts)
    scores, correct = [], []
    for text, spans, gold_spans in zip(texts, raw, gold):
        for span in spans:
            scores.append(span.score)
            correct.append(is_correct(text, (span.start, span.end), gold_spans))
    isotonic = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(scores, correct)
    xs, ys = isotonic.X_thresholds_.tolist(), isotonic.y_thresholds_.tolist()
    calibrated = [list(np.interp([s.score for s in spans], xs, ys)) for spans in raw]
    table = []
    for threshold in np.round(np.arange(0.30, 0.99, 0.025), 3):
        counts, clean = SpanCounts(), SpanCounts()
        for text, spans, probs, gold_spans in zip(texts, raw, calibrated, gold):
            kept = [(s.start, s.end) for s, p in zip(spans, probs) if p >= threshold]
            counts.add(text, gold_spans, kept)
            if not gold_spans:
                clean.add(text, gold_spans, kept)
        metrics = counts.metrics()
        metrics["clean_false_per_1000_words"] = clean.metrics()["false_per_1000_words"]
        table.append((float(threshold), metrics))
    passing = [(t, m) for t, m in table if m["precision"] >= target_precision and m["clean_false_per_1000_words"] <= max_clean_rate]
    threshold, metrics = passing[0] if passing else max(table, key=lambda tm: tm[1]["precision"])
    return xs, ys, threshold, metrics, table
