"""Fit data/channel.json: the logistic calibration of the channel detector
(detector/detectors/channel.py) that turns a candidate's gain into P(spun).

Real tortured phrases of pairs_train.jsonl (the Problematic Paper Screener pairs that may
be learnt from) are planted where their correct term occurs in training news (BBC minus
tech, Reuters), each after a clean sentence of other training news; the detector's gains
over those documents are labelled by whether they touch the planted phrase. Everything
else it rescores there is clean text, and so is every gain over --clean-words of whole
validation-split news articles (which the span tagger, whose suspect words the detector
also rescores, never trained on): the negatives are the false alarms it would raise on
news. Folds by document give held-out probabilities; the threshold written is the lowest
whose held-out false findings on the clean articles stay within --false-per-1k, and the
report gives recall of planted phrases and false findings per 1,000 words at each.

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

from detector.wiring import tagged_words, build_channel_detector, load_shipped_model
from detector.training.corpora import default_root, sentences, training_documents
from detector.training.dataset import split_of
from detector.detectors.channel import FEATURES, Calibration

SENTENCE_WORDS = (8, 40)
THRESHOLDS = tuple(round(0.05 * i, 2) for i in range(1, 20))  # 0.05 … 0.95, held out


def clean_articles(root: Path, words: int) -> list[str]:
    """Whole validation-split news articles (BBC minus tech, then Reuters) up to `words`."""
    out, total = [], 0
    for doc_id, text in training_documents(root):
        if total >= words:
            break
        if split_of(doc_id) == "validation":
            out.append(text)
            total += len(text.split())
    return out


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


def read_documents(planted, clean, parser):
    """The detector's gains over the planted documents and the clean articles: features,
    labels, whether from a clean article, document numbers, and the two word counts."""
    tagger, error = load_shipped_model(int8=True)
    detector, error = build_channel_detector(Calibration(dict.fromkeys(FEATURES, 0.0), 0.0), focus=tagged_words(tagger) if tagger else None)
    if error:
        parser.error(error)
    rows, labels, groups, is_clean = [], [], [], []
    began, planted_words, clean_words = time.time(), 0, 0
    documents = [(text, span) for text, span in planted] + [(text, None) for text in clean]
    for number, (text, planted_span) in enumerate(documents):
        if planted_span is None:
            clean_words += len(text.split())
        else:
            planted_words += len(text.split())
        focused = {a for a, _, _ in detector.focus([text])[0]} if detector.focus else set()
        for gain in detector.text_gains(text, focused):
            features = gain.features(text)
            rows.append([features[name] for name in FEATURES])
            labels.append(planted_span is not None and gain.start < planted_span[1] and planted_span[0] < gain.end)
            groups.append(number)
            is_clean.append(planted_span is None)
        if number % 100 == 0:
            print(f"  {number}/{len(documents)} documents, {(planted_words + clean_words) / (time.time() - began):.0f} words/s", flush=True)
    print(f"{len(planted)} planted documents ({planted_words} words), {len(clean)} clean articles ({clean_words} words), {len(rows)} rescored spans ({sum(labels)} touching a planted phrase), {(planted_words + clean_words) / (time.time() - began):.1f} words/s")
    x, y, from_clean = np.array(rows), np.array(labels), np.array(is_clean)
    return x, y, from_clean, np.array(groups), planted_words, clean_words


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=Path, required=True, help="pairs_train.jsonl (never the dev pairs)")
    parser.add_argument("--corpora", type=Path, default=default_root())
    parser.add_argument("--clean-words", type=int, default=200_000, help="Words of clean validation news among the negatives.")
    parser.add_argument("--false-per-1k", type=float, default=0.5, help="The false findings per 1,000 clean words the threshold may allow.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", type=Path, default=Path("data/channel.json"))
    parser.add_argument("--rows", type=Path, help="Keep the rescored spans' features here (.npz), and refit from them when the file exists (the language model reads for ~40 min).")
    args = parser.parse_args()
    if "dev" in args.pairs.stem:
        parser.error("the dev pairs are evaluation-only")
    torch.set_num_threads(os.cpu_count() or 1)
    pairs = [json.loads(line) for line in args.pairs.read_text(encoding="utf-8").splitlines() if line.strip()]
    planted = planted_documents(pairs, args.corpora, args.seed)
    clean = clean_articles(args.corpora, args.clean_words)
    if args.rows and args.rows.is_file():
        kept = np.load(args.rows)
        x, y, from_clean, groups = kept["x"], kept["y"], kept["clean"], kept["groups"]
        planted_words, clean_words = int(kept["planted_words"]), int(kept["clean_words"])
    else:
        x, y, from_clean, groups, planted_words, clean_words = read_documents(planted, clean, parser)
        if args.rows:
            np.savez(args.rows, x=x, y=y, clean=from_clean, groups=groups, planted_words=planted_words, clean_words=clean_words)
    fitted = LogisticRegression(max_iter=1000)
    held_out = cross_val_predict(fitted, x, y, cv=GroupKFold(5), groups=groups, method="predict_proba")[:, 1]

    def at(threshold: float) -> dict:
        """Held out at `threshold`: recall of planted phrases, false findings per 1,000
        words of the clean articles and of the planted documents."""
        found = {g for g, label, p in zip(groups, y, held_out) if label and p >= threshold}
        false = (held_out >= threshold) & ~y
        return {
            "threshold": threshold,
            "recall": round(len(found) / len(planted), 4),
            "false_per_1k_clean": round(1000 * int((false & from_clean).sum()) / clean_words, 3),
            "false_per_1k_planted": round(1000 * int((false & ~from_clean).sum()) / planted_words, 3),
        }

    sweep = [at(t) for t in THRESHOLDS]
    for row in sweep:
        print(f"  at {row['threshold']:.2f}: recall {row['recall']:.3f}, false per 1,000 clean words {row['false_per_1k_clean']:.3f}, in planted documents {row['false_per_1k_planted']:.3f}")
    chosen = next((row for row in sweep if row["false_per_1k_clean"] <= args.false_per_1k), sweep[-1])
    report = {"planted_documents": len(planted), "planted_words": planted_words, "clean_articles": len(clean), "clean_words": clean_words, **chosen}
    print("held out (5 folds by document), chosen:", json.dumps(report))
    fitted.fit(x, y)
    data = {
        "weights": dict(zip(FEATURES, (round(float(w), 6) for w in fitted.coef_[0]))),
        "intercept": round(float(fitted.intercept_[0]), 6),
        "threshold": chosen["threshold"],
        "held_out": report,
        "sweep": sweep,
    }
    with tempfile.NamedTemporaryFile("w", dir=args.output.parent, delete=False, suffix=".tmp", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)
        handle.write("\n")
    os.replace(handle.name, args.output)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
