"""Fit data/substitutions.json: the prior over two-step thesaurus candidates
(detector/suggest/sources/substitutions.py) that says which of them a real spinner's word stands for.

Each changed word of the equal-length pairs of pairs_train.jsonl (real tortured → correct
pairs that may be learnt from) gives one positive, its correct word among the written
word's candidates, and up to NEGATIVES other candidates of it as negatives. Five folds by
pair report the share of changed words whose correct word ranks within the top k before
the fit on all of them is written.

    python scripts/fit_substitutions.py --pairs ../shared/dev/real/pairs_train.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from detector import atomic
from detector.inflection import carry_over, lemma_key
from detector.suggest.sources.substitutions import FEATURES, Relation
from detector.thesaurus import shipped_thesaurus

NEGATIVES = 300
TOP = (25, 50, 100, 200, 400)


def changed_words(path: Path) -> list[tuple[str, str]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            pair = json.loads(line)
            spun, correct = pair["tortured"].lower().split(), pair["correct"].lower().split()
            if len(spun) == len(correct):
                out += [(s, c) for s, c in zip(spun, correct) if s != c]
    return out


def is_original(candidate: str, written: str, original: str) -> bool:
    return candidate == original or carry_over(candidate, written) == original or candidate == lemma_key(original)


def coverage(model, relation: Relation, words: list[tuple[str, str]]) -> dict[int, float]:
    """Share of `words` whose original ranks within each k of TOP."""
    hits = dict.fromkeys(TOP, 0)
    for written, original in words:
        features = relation.features(written)
        if not features:
            continue
        names = list(features)
        order = np.argsort(-model.decision_function(np.array([features[n] for n in names])), kind="stable")
        rank = next((r for r, j in enumerate(order) if is_original(names[j], written, original)), None)
        for k in TOP:
            hits[k] += rank is not None and rank < k
    return {k: round(hits[k] / max(1, len(words)), 4) for k in TOP}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=Path, required=True, help="pairs_train.jsonl (never the dev pairs)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", type=Path, default=Path("data/substitutions.json"))
    args = parser.parse_args()
    if "dev" in args.pairs.stem:
        parser.error("the dev pairs are evaluation-only")
    relation = Relation(shipped_thesaurus())
    words = changed_words(args.pairs)
    rng = random.Random(args.seed)
    rows, labels, groups = [], [], []
    for number, (written, original) in enumerate(words):
        features = relation.features(written)
        positives = [c for c in features if is_original(c, written, original)]
        negatives = [c for c in features if c not in positives]
        rng.shuffle(negatives)
        for candidate in positives + negatives[:NEGATIVES]:
            rows.append(features[candidate])
            labels.append(candidate in positives)
            groups.append(number)
    x, y, groups = np.array(rows), np.array(labels), np.array(groups)
    reachable = round(len(set(groups[y])) / len(words), 4)
    print(f"{len(words)} changed words, {reachable} with the original two steps away, {len(rows)} rows")
    held_out = dict.fromkeys(TOP, 0.0)
    for train, test in GroupKFold(5).split(x, y, groups):
        model = LogisticRegression(max_iter=2000).fit(x[train], y[train])
        fold = [words[i] for i in sorted(set(groups[test]))]
        for k, share in coverage(model, relation, fold).items():
            held_out[k] += share * len(fold)
    report = {"changed_words": len(words), "reachable": reachable, "top": {k: round(v / len(words), 4) for k, v in held_out.items()}}
    print("held out (5 folds by word), share of changed words whose original ranks within the top k:", json.dumps(report["top"]))
    model = LogisticRegression(max_iter=2000).fit(x, y)
    data = {"features": list(FEATURES), "weights": [round(float(w), 6) for w in model.coef_[0]], "intercept": round(float(model.intercept_[0]), 6), "held_out": report}
    atomic.write_text(args.output, json.dumps(data, indent=2) + "\n")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
