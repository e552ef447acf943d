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
import dataclasses
import gzip
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

from detector.detectors.channel import FEATURES, Calibration, Gain
from detector.ngram import shipped_trigrams
from detector.training.corpora import default_root, sentences, training_documents
from detector.training.dataset import split_of
from detector.wiring import build_channel_detector, load_shipped_model, tagged_words

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


def planted_documents(pairs: list[dict], root: Path, seed: int, times: int) -> list[tuple[str, tuple[int, int], int]]:
    """(text, planted span, pair number) for every pair whose correct term occurs in
    training sentences, planted in up to `times` of them."""
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
    for number, pair in enumerate(pairs):
        words = re.findall(r"[a-z]+", pair["correct"].lower())
        if not words:
            continue
        term = re.compile(r"\b" + re.escape(pair["correct"].lower()) + r"\b")
        hits = sorted(i for i in set.intersection(*[holding.get(w, set()) for w in words]) if term.search(lowered[i]))
        for i in rng.sample(hits, min(times, len(hits))):
            match = term.search(lowered[i])
            tortured = pair["tortured"]
            if pool[i][match.start()].isupper():
                tortured = tortured[0].upper() + tortured[1:]
            before = rng.choice(pool) + " "
            start = len(before) + match.start()
            out.append((before + pool[i][: match.start()] + tortured + pool[i][match.end() :], (start, start + len(tortured)), number))
    return out


def read_documents(planted, clean, parser) -> list[dict]:
    """What the detector rescores in the planted documents and the clean articles: for
    each document its text, planted span (or None), fold group and rescored gains, from
    which any features can be computed again."""
    tagger, error = load_shipped_model(int8=True)
    detector, error = build_channel_detector(Calibration(dict.fromkeys(FEATURES, 0.0), 0.0), focus=tagged_words(tagger) if tagger else None)
    if error:
        parser.error(error)
    documents = [{"text": text, "planted": span, "group": f"pair{number}"} for text, span, number in planted]
    documents += [{"text": text, "planted": None, "group": f"clean{number}"} for number, text in enumerate(clean)]
    began, words = time.time(), 0
    for number, document in enumerate(documents):
        words += len(document["text"].split())
        focused = {a for a, _, _ in detector.focus([document["text"]])[0]} if detector.focus else set()
        document["gains"] = [dataclasses.asdict(gain) for gain in detector.text_gains(document["text"], focused)]
        if number % 100 == 0:
            print(f"  {number}/{len(documents)} documents, {words / (time.time() - began):.0f} words/s", flush=True)
    print(f"{len(planted)} planted documents, {len(clean)} clean articles, {words} words, {words / (time.time() - began):.1f} words/s")
    return documents


def feature_rows(documents: list[dict], features=FEATURES):
    """Features, labels (whether a gain touches the planted phrase), whether from a clean
    article, fold groups (a pair's plantings are one), document numbers, and the planted
    and clean word counts."""
    trigrams = shipped_trigrams()
    rows, labels, groups, is_clean, numbers = [], [], [], [], []
    for number, document in enumerate(documents):
        text, span = document["text"], document["planted"]
        for fields in document["gains"]:
            values = Gain(**fields).features(text, trigrams=trigrams)
            rows.append([values[name] for name in features])
            labels.append(span is not None and fields["start"] < span[1] and span[0] < fields["end"])
            groups.append(document["group"])
            is_clean.append(span is None)
            numbers.append(number)
    planted_words = sum(len(d["text"].split()) for d in documents if d["planted"] is not None)
    clean_words = sum(len(d["text"].split()) for d in documents if d["planted"] is None)
    return np.array(rows), np.array(labels), np.array(is_clean), np.array(groups), np.array(numbers), planted_words, clean_words


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=Path, required=True, help="pairs_train.jsonl (never the dev pairs)")
    parser.add_argument("--corpora", type=Path, default=default_root())
    parser.add_argument("--clean-words", type=int, default=200_000, help="Words of clean validation news among the negatives.")
    parser.add_argument("--false-per-1k", type=float, default=0.5, help="The false findings per 1,000 clean words the threshold may allow.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--output", type=Path, default=Path("data/channel.json"))
    parser.add_argument("--times", type=int, default=3, help="Training sentences each pair is planted in.")
    parser.add_argument("--gains", type=Path, help="Keep what the detector rescores here (.json.gz), and refit from it when the file exists (the language model reads for ~40 min).")
    args = parser.parse_args()
    if "dev" in args.pairs.stem:
        parser.error("the dev pairs are evaluation-only")
    torch.set_num_threads(os.cpu_count() or 1)
    pairs = [json.loads(line) for line in args.pairs.read_text(encoding="utf-8").splitlines() if line.strip()]
    if args.gains and args.gains.is_file():
        with gzip.open(args.gains, "rt", encoding="utf-8") as handle:
            documents = json.load(handle)
    else:
        planted = planted_documents(pairs, args.corpora, args.seed, args.times)
        documents = read_documents(planted, clean_articles(args.corpora, args.clean_words), parser)
        if args.gains:
            with gzip.open(args.gains, "wt", encoding="utf-8") as handle:
                json.dump(documents, handle)
    x, y, from_clean, groups, numbers, planted_words, clean_words = feature_rows(documents)
    planted = sum(d["planted"] is not None for d in documents)
    fitted = LogisticRegression(max_iter=1000)
    held_out = cross_val_predict(fitted, x, y, cv=GroupKFold(5), groups=groups, method="predict_proba")[:, 1]

    def at(threshold: float) -> dict:
        """Held out at `threshold`: recall of planted phrases, false findings per 1,000
        words of the clean articles and of the planted documents."""
        found = {n for n, label, p in zip(numbers, y, held_out) if label and p >= threshold}
        false = (held_out >= threshold) & ~y
        return {
            "threshold": threshold,
            "recall": round(len(found) / planted, 4),
            "false_per_1k_clean": round(1000 * int((false & from_clean).sum()) / clean_words, 3),
            "false_per_1k_planted": round(1000 * int((false & ~from_clean).sum()) / planted_words, 3),
        }

    sweep = [at(t) for t in THRESHOLDS]
    for row in sweep:
        print(f"  at {row['threshold']:.2f}: recall {row['recall']:.3f}, false per 1,000 clean words {row['false_per_1k_clean']:.3f}, in planted documents {row['false_per_1k_planted']:.3f}")
    chosen = next((row for row in sweep if row["false_per_1k_clean"] <= args.false_per_1k), sweep[-1])
    report = {"planted_documents": planted, "planted_words": planted_words, "clean_articles": len(documents) - planted, "clean_words": clean_words, **chosen}
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
