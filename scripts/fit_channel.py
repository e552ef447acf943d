"""Fit data/channel.json: the logistic calibration of the channel detector
(detector/detectors/channel.py) that turns a candidate's gain into P(spun).

Real tortured phrases of pairs_train.jsonl (the Problematic Paper Screener pairs that may
be learnt from) are planted where their correct term occurs in training news (BBC minus
tech, Reuters), each after a clean sentence of other training news; the detector's gains
over those documents are labelled by whether they touch the planted phrase. Everything
else it rescores there is clean text, so the negatives are the false alarms it would
raise on news. Folds by document report recall of planted phrases and false findings per
1,000 words at the pipeline's threshold before the fit on all of them is written.

    python scripts/fit_channel.py --pairs ../shared/dev/real/pairs_train.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, cross_val_predict

from detector.api import build_channel_detector
from detector.corpora import default_root, sentences, training_documents
from detector.detectors.channel import FEATURES, Calibration

SENTENCE_WORDS = (8, 40)
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95)  # also reported, held out, to show the trade-off


def planted_documents(pairs: list[dict], root: Path, seed: int) -> list[tuple[str, tuple[int, int]]]:
    """(text, planted span) for every pair whose correct term occurs in a training sentence."""
    pool = [s for _, text in training_documents(root) for s in sentences(text) if SENTENCE_WORDS[0] <= len(s.split()) <= SENTENCE_WORDS[1] and not s.isupper()]
    lowered = [s.lower() for s in pool]
    holding: dict[str, set[int]] = {}
    for i, sentence in enumerate(lowered):
        for word in set(re.findall(r"[a-z]+", sentence)):
            holding.setdefault(word, set()).add(i)
    rng = random.Random(seed)
    pairs = list(pairs)
    rng.shuffle(pairs)
    out = []
    for pair in pairs:
        words = re.findall(r"[a-z]+", pair["correct"].lower())
        if not words:
            continue
        term = re.compile(r"\b" + re.escape(pair["correct"].lower()) + r"\b")
        hits = sorted(i for i in set.intersection(*[holding.get(w, set()) for w in words]) if term.search(lowered[i]))
        if not hits:
            continue
        i = rng.choice(hits)
        match = term.search(lowered[i])
        tortured = pair["tortured"]
        if pool[i][match.start()].isupper():
            tortured = tortured[0].upper() + tortured[1:]
        before = rng.choice(pool) + " "
        start = len(before) + match.start()
        out.append((before + pool[i][: match.start()] + tortured + pool[i][match.end() :], (start, start + len(tortured))))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=Path, required=True, help="pairs_train.jsonl (never the dev pairs)")
    parser.add_argument("--corpora", type=Path, default=default_root())
    parser.add_argument("--threshold", type=float, default=0.8, help="The pipeline's threshold, for the report.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", type=Path, default=Path("data/channel.json"))
    args = parser.parse_args()
    if "dev" in args.pairs.stem:
        parser.error("the dev pairs are evaluation-only")
    torch.set_num_threads(os.cpu_count() or 1)
    pairs = [json.loads(line) for line in args.pairs.read_text(encoding="utf-8").splitlines() if line.strip()]
    documents = planted_documents(pairs, args.corpora, args.seed)
    detector, error = build_channel_detector(Calibration(dict.fromkeys(FEATURES, 0.0), 0.0))
    if error:
        parser.error(error)
    rows, labels, groups = [], [], []
    began, words = time.time(), 0
    for number, (text, (start, end)) in enumerate(documents):
        words += len(text.split())
        for a, b in detector._windows(text):
            for gain in detector.gains(text, a, b):
                features = gain.features(text)
                rows.append([features[name] for name in FEATURES])
                labels.append(gain.start < end and start < gain.end)
                groups.append(number)
    print(f"{len(documents)} documents, {words} words, {len(rows)} rescored spans ({sum(labels)} touching a planted phrase), {words / (time.time() - began):.1f} words/s")
    x, y = np.array(rows), np.array(labels)
    fitted = LogisticRegression(max_iter=1000)
    held_out = cross_val_predict(fitted, x, y, cv=GroupKFold(5), groups=groups, method="predict_proba")[:, 1]
    def at(threshold: float) -> tuple[float, float]:
        """(recall of planted phrases, false findings per 1,000 words) at `threshold`."""
        found = {g for g, label, p in zip(groups, y, held_out) if label and p >= threshold}
        return round(len(found) / len(documents), 4), round(1000 * int(((held_out >= threshold) & ~y).sum()) / words, 3)

    recall, false = at(args.threshold)
    report = {"documents": len(documents), "words": words, "threshold": args.threshold, "recall": recall, "false_per_1k_words": false}
    print("held out (5 folds by document):", json.dumps(report))
    for threshold in THRESHOLDS:
        print(f"  at {threshold:.2f}: recall {at(threshold)[0]:.3f}, false per 1,000 words {at(threshold)[1]:.3f}")
    fitted.fit(x, y)
    data = {"weights": dict(zip(FEATURES, (round(float(w), 6) for w in fitted.coef_[0]))), "intercept": round(float(fitted.intercept_[0]), 6), "held_out": report}
    with tempfile.NamedTemporaryFile("w", dir=args.output.parent, delete=False, suffix=".tmp", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)
        handle.write("\n")
    os.replace(handle.name, args.output)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
