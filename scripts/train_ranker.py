"""Train data/ranker.safetensors: the network that ranks a finding's candidates
(detector/suggest/ranker.py).

The shipped span model (int8, as `unspin check` runs it) flags the first --examples
passages of the train split of a dataset built by `unspin data build`; each finding's
candidates are read as the ranker reads them, and a finding that holds whole gold spans
has one right candidate: the finding's text with those spans restored. The network
learns a softmax over each finding's candidates (findings without a right candidate
teach nothing and are left out). The first --validation passages of the validation split
report how often the right candidate ranks first, by bigrams alone and by the ranker;
restoration as `unspin eval` measures it comes from there.

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

from detector.api import build_pipeline, candidate_features
from detector.config import Config
from detector.document import Document
from detector.evaluate import normalise_term, spin_findings, splice, synthetic_gold
from detector.suggest.ranker import FEATURES, PATH, DocumentWords

HIDDEN = 32
EPOCHS = 40
BATCH = 64  # findings per step
LEARNING_RATE = 3e-3  # annealed to 0 over the epochs (cosine)
# Weight decay 1e-4 and 60 epochs at a constant rate overfitted: trained on 2,000 passages,
# the right candidate came first on 1,000 validation passages 0.810 / 0.812 of the time
# (two seeds), 0.823 / 0.820 with 1e-3, 40 epochs and the annealed rate.
WEIGHT_DECAY = 1e-3


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
            candidates = [c for c in suggester.candidates(doc.text, finding.start, finding.end) if c.source != "table"]
            if right is None or not candidates:
                continue
            read, candidate_rows = features.rows(doc.text, words, finding.start, finding.end, candidates)
            hits = [i for i, c in enumerate(read) if normalise_term(c.text) == right]
            if hits:
                groups.append((candidate_rows, hits[0]))
    return groups


def train(groups, seed: int) -> dict[str, np.ndarray]:
    torch.manual_seed(seed)
    everything = torch.tensor(np.concatenate([rows for rows, _ in groups]))
    mean, scale = everything.mean(0), everything.std(0) + 1e-6
    data = [((torch.tensor(rows) - mean) / scale, right) for rows, right in groups]
    network = torch.nn.Sequential(torch.nn.Linear(len(FEATURES), HIDDEN), torch.nn.Tanh(), torch.nn.Linear(HIDDEN, 1))
    optimiser = torch.optim.Adam(network.parameters(), lr=LEARNING_RATE, weight_decay=WEIGHT_DECAY)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, EPOCHS)
    order = np.random.RandomState(seed)
    for _ in range(EPOCHS):
        permutation = order.permutation(len(data))
        for start in range(0, len(data), BATCH):
            loss = 0.0
            for k in permutation[start : start + BATCH]:
                rows, right = data[k]
                scores = network(rows).squeeze(-1)
                loss = loss + torch.logsumexp(scores, 0) - scores[right]
            optimiser.zero_grad()
            (loss / BATCH).backward()
            optimiser.step()
        schedule.step()
    hidden, output = network[0], network[2]
    tensors = {"mean": mean, "scale": scale, "hidden.weight": hidden.weight, "hidden.bias": hidden.bias, "output.weight": output.weight, "output.bias": output.bias}
    return {name: t.detach().numpy().astype(np.float32) for name, t in tensors.items()}


def first_right(groups, score) -> float:
    return sum(int(np.argmax(score(rows))) == right for rows, right in groups) / max(1, len(groups))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", type=Path, required=True)
    parser.add_argument("--examples", type=int, default=4000, help="train-split passages to learn from")
    parser.add_argument("--validation", type=int, default=1000, help="validation-split passages to report on")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--output", type=Path, default=Path(str(PATH)))
    args = parser.parse_args()
    from safetensors.numpy import save_file

    from detector.suggest.ranker import Ranker

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
    tensors = train(learn, args.seed)
    ranker = Ranker(tensors)
    bigrams = FEATURES.index("bigram_rank")
    print(f"right candidate first on validation findings: bigrams {first_right(check, lambda rows: -rows[:, bigrams]):.4f}, ranker {first_right(check, ranker.scores):.4f}")
    # one key: safetensors writes several in no fixed order, and the file's digest names the results
    metadata = {"ranker": json.dumps({"features": FEATURES, "examples": args.examples, "seed": args.seed, "train_findings": len(learn)})}
    with tempfile.NamedTemporaryFile(dir=args.output.parent, suffix=".tmp", delete=False) as handle:
        temporary = handle.name
    save_file(tensors, temporary, metadata=metadata)
    os.chmod(temporary, 0o644)
    os.replace(temporary, args.output)
    print(f"-> {args.output} in {time.time() - started:.0f}s")


if __name__ == "__main__":
    main()
