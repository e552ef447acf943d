"""Train data/ranker.safetensors: the network that ranks a finding's candidates
(detector/suggest/judges/ranker.py).

The shipped span model (int8, as `unspin check` runs it) flags the first --examples
passages of the train split of a dataset built by `unspin-dev data build`; each finding's
candidates are read as the ranker reads them, and a finding that holds whole gold spans
has one right candidate: the finding's text with those spans restored. The network
learns a softmax over each finding's candidates (findings without a right candidate
teach nothing and are left out); --seeds networks learn it from different starts and ship
as one that scores with their mean (it put the right candidate first more often than one
network did: data/README.md). The first --validation passages of the validation split
report how often the right candidate ranks first, by bigrams alone and by the ranker;
restoration as `unspin-dev eval` measures it comes from there.

    python scripts/train_ranker.py --dataset work/dataset
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from detector.wiring import build_pipeline
from detector.config import Config
from detector.document import Document
from detector.training.evaluate import normalise_term, spin_findings, splice, synthetic_gold
from detector.suggest.assembly import candidate_features
from detector.suggest.contracts import Source
from detector.suggest.judges.ranker import FEATURES, PATH, DocumentWords

HIDDEN = 32
EPOCHS = 40
BATCH = 64  # findings per step
LEARNING_RATE = 3e-3  # annealed to 0 over the epochs (cosine)
WEIGHT_DECAY = 1e-3  # less, with more epochs at a constant rate, overfits (docs/experiments.md)


def restored(text: str, start: int, end: int, gold) -> str | None:
    """The finding's text with the gold spans inside it restored, normalised; None when
    it holds no gold span or cuts one."""
    inside = [(span, original) for span, original in gold if span[0] < end and start < span[1]]
    if not inside or any(span[0] < start or end < span[1] for span, _ in inside):
        return None
    return normalise_term(splice(text, start, end, inside))


def findings_to_rank(pipeline, suggester, rows, split: str) -> list[tuple[np.ndarray, int]]:
    """(features of a finding's candidates, index of the right one) for each finding of
    `rows` that has a right candidate among those read; `pipeline` without suggesters."""
    features = candidate_features()
    docs = [Document.plain(f"{split}/{i}", row["text"]) for i, row in enumerate(rows)]
    groups = []
    for row, doc, result in zip(rows, docs, pipeline.check(docs)):
        gold, words = synthetic_gold(row), DocumentWords.of(doc.text)
        for finding in spin_findings(result):
            right = restored(doc.text, finding.start, finding.end, gold)
            candidates = [c for c in suggester.candidates(doc.text, finding.start, finding.end).candidates if c.source != Source.LISTED]
            if right is None or not candidates:
                continue
            read, candidate_rows = features.rows(doc.text, words, finding.start, finding.end, candidates)
            hits = [i for i, c in enumerate(read) if normalise_term(c.text) == right]
            if hits:
                groups.append((candidate_rows, hits[0]))
    return groups


def train(groups, seeds: list[int]) -> dict[str, np.ndarray]:
    """One network per seed, stored as one: their hidden layers side by side and the mean of
    their outputs, so the shipped ranker scores with the seeds' mean (the same ranking as
    the mean of their log-softmaxes) in one pass."""
    everything = torch.tensor(np.concatenate([rows for rows, _ in groups]))
    mean, scale = everything.mean(0), everything.std(0) + 1e-6
    # padded to the largest group; padding is masked out of the softmax
    width = max(len(rows) for rows, _ in groups)
    features = torch.zeros(len(groups), width, len(FEATURES))
    present = torch.zeros(len(groups), width, dtype=torch.bool)
    for k, (rows, _) in enumerate(groups):
        features[k, : len(rows)] = (torch.tensor(rows) - mean) / scale
        present[k, : len(rows)] = True
    right = torch.tensor([right for _, right in groups])
    networks = [_train_one(features, present, right, seed) for seed in seeds]
    tensors = {
        "mean": mean,
        "scale": scale,
        "hidden.weight": torch.cat([network[0].weight for network in networks]),
        "hidden.bias": torch.cat([network[0].bias for network in networks]),
        "output.weight": torch.cat([network[2].weight for network in networks], 1) / len(networks),
        "output.bias": torch.stack([network[2].bias for network in networks]).mean(0),
    }
    return {name: t.detach().numpy().astype(np.float32) for name, t in tensors.items()}


def _train_one(features: torch.Tensor, present: torch.Tensor, right: torch.Tensor, seed: int) -> torch.nn.Sequential:
    torch.manual_seed(seed)
    network = torch.nn.Sequential(torch.nn.Linear(len(FEATURES), HIDDEN), torch.nn.Tanh(), torch.nn.Linear(HIDDEN, 1))
    optimiser = torch.optim.Adam(network.parameters(), lr=LEARNING_RATE, weight_decay=WEIGHT_DECAY)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, EPOCHS)
    order = np.random.RandomState(seed)
    for _ in range(EPOCHS):
        permutation = torch.from_numpy(order.permutation(len(features)))
        for start in range(0, len(features), BATCH):
            batch = permutation[start : start + BATCH]
            scores = network(features[batch]).squeeze(-1).masked_fill(~present[batch], -1e9)
            loss = (torch.logsumexp(scores, 1) - scores.gather(1, right[batch, None])[:, 0]).mean()
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        schedule.step()
    return network


def first_right(groups, score) -> float:
    return sum(int(np.argmax(score(rows))) == right for rows, right in groups) / max(1, len(groups))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", type=Path, required=True)
    parser.add_argument("--examples", type=int, default=4000, help="train-split passages to learn from")
    parser.add_argument("--validation", type=int, default=1000, help="validation-split passages to report on")
    parser.add_argument("--seeds", type=int, default=5, help="networks trained (seeds 13, 14, ...) and shipped as their mean")
    parser.add_argument("--output", type=Path, default=Path(str(PATH)))
    args = parser.parse_args()
    from safetensors.numpy import save_file

    from detector.suggest.judges.ranker import Ranker

    torch.set_num_threads(1)  # small tensors: threads cost more than they give
    started = time.time()
    from datasets import load_from_disk

    splits = load_from_disk(str(args.dataset))
    pipeline, errors = build_pipeline(Config(lm_suggestions="off"))
    if errors:
        raise SystemExit("; ".join(errors))
    suggester, pipeline.suggesters = pipeline.suggesters[0], []  # the findings, unjudged
    learn = findings_to_rank(pipeline, suggester, splits["train"].select(range(args.examples)), "train")
    check = findings_to_rank(pipeline, suggester, splits["validation"].select(range(args.validation)), "validation")
    print(f"{len(learn):,} train findings, {len(check):,} validation findings with a right candidate ({time.time() - started:.0f}s)")
    tensors = train(learn, list(range(13, 13 + args.seeds)))
    ranker = Ranker(tensors)
    bigrams = FEATURES.index("bigram_rank")
    print(f"right candidate first on validation findings: bigrams {first_right(check, lambda rows: -rows[:, bigrams]):.4f}, ranker {first_right(check, ranker.scores):.4f}")
    # one key: safetensors writes several in no fixed order, and the file's digest names the results
    metadata = {"ranker": json.dumps({"features": FEATURES, "examples": args.examples, "seeds": args.seeds, "train_findings": len(learn)})}
    with tempfile.NamedTemporaryFile(dir=args.output.parent, suffix=".tmp", delete=False) as handle:
        temporary = handle.name
    save_file(tensors, temporary, metadata=metadata)
    os.chmod(temporary, 0o644)
    os.replace(temporary, args.output)
    print(f"-> {args.output} in {time.time() - started:.0f}s")


if __name__ == "__main__":
    main()
