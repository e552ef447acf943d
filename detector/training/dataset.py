"""Build the labelled training data: clean news passages spun by our spinner, with
character spans and token BIO labels aligned to the base model's tokenizer.

Documents are split into train/validation/test by a hash of their id, so no article
contributes to two splits. Each passage is spun several times with different seeds
and rates, and also kept clean so the model learns what not to flag.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from detector.training.corpora import sentences, training_documents
from detector.model.features import bio_labels, casing_ids, merge_runs

SPLITS = ("train", "validation", "test")


@dataclass
class BuildConfig:
    corpora: Path
    output: Path
    train_passages: int = 26_000
    eval_passages: int = 1_500
    spins_per_passage: int = 2
    clean_share: float = 0.5
    min_rate: float = 0.1
    max_rate: float = 0.5
    max_words: int = 80
    max_tokens: int = 160
    seed: int = 13


def split_of(doc_id: str) -> str:
    bucket = int(hashlib.sha1(doc_id.encode()).hexdigest()[:8], 16) % 100
    return "test" if bucket < 5 else "validation" if bucket < 10 else "train"


def passages(text: str, max_words: int) -> list[str]:
    """Runs of consecutive sentences of at most `max_words` words (a longer sentence stands alone)."""
    out, current, words = [], [], 0
    for sentence in sentences(text):
        n = len(sentence.split())
        if current and words + n > max_words:
            out.append(" ".join(current))
            current, words = [], 0
        current.append(sentence)
        words += n
    if current:
        out.append(" ".join(current))
    return [p for p in out if len(p.split()) >= 6]


def featurize(tokenizer, text: str, spans: list[tuple[int, int]], max_tokens: int) -> dict:
    """Model inputs and BIO labels: [CLS] tokens [SEP], truncated to `max_tokens`."""
    ids, offsets = tokenizer.encode(text)
    ids = [tokenizer.cls_id, *ids[: max_tokens - 2], tokenizer.sep_id]
    offsets = [(0, 0), *offsets[: max_tokens - 2], (0, 0)]
    return {
        "input_ids": ids,
        "attention_mask": [1] * len(ids),
        "casing_ids": casing_ids(text, offsets),
        "labels": bio_labels(offsets, merge_runs(spans, text)),
    }


def build(config: BuildConfig, tokenizer, spinner, log=print, documents=None):
    """Spin, label and save the datasets; `documents` ((id, text) pairs) defaults to the corpora."""
    from datasets import Dataset, DatasetDict

    started = time.time()
    rng = random.Random(config.seed)
    pools: dict[str, list[tuple[str, str]]] = {split: [] for split in SPLITS}
    counts = Counter()
    for doc_id, text in documents if documents is not None else training_documents(config.corpora):
        split = split_of(doc_id)
        counts[(doc_id.split("/")[0], split)] += 1
        pools[split].extend((doc_id, p) for p in passages(text, config.max_words))
    stats = {"documents": {f"{s}/{p}": n for (s, p), n in sorted(counts.items())}, "splits": {}}
    result = {}
    for split in SPLITS:
        pool = pools[split]
        rng.shuffle(pool)
        # BBC prose is closest to what users check: take it first, then fill with Reuters.
        pool.sort(key=lambda item: not item[0].startswith("bbc"))
        chosen = pool[: config.train_passages if split == "train" else config.eval_passages]
        rows, kinds = [], Counter()
        for number, (doc_id, text) in enumerate(chosen):
            variants = []
            if rng.random() < config.clean_share:
                variants.append((text, []))
            for k in range(config.spins_per_passage):
                seed = config.seed * 1_000_003 + number * 31 + k
                rate = rng.uniform(config.min_rate, config.max_rate)
                spun = spinner.spin(text, seed=seed, rate=rate)
                kinds.update(s.kind for s in spun.spans)
                variants.append((spun.text, [asdict(s) for s in spun.spans]))
            for variant, spans in variants:
                row = {"doc_id": doc_id, "text": variant, "spans": json.dumps(spans), "spun": bool(spans)}
                row.update(featurize(tokenizer, variant, [(s["start"], s["end"]) for s in spans], config.max_tokens))
                rows.append(row)
        rng.shuffle(rows)
        result[split] = Dataset.from_list(rows)
        tokens = sum(len(r["input_ids"]) for r in rows)
        stats["splits"][split] = {
            "passages": len(chosen),
            "bbc_passages": sum(1 for d, _ in chosen if d.startswith("bbc")),
            "examples": len(rows),
            "clean_examples": sum(1 for r in rows if not r["spun"]),
            "tokens": tokens,
            "spans_by_kind": dict(sorted(kinds.items())),
        }
        log(f"{split}: {len(chosen):,} passages, {len(rows):,} examples, {tokens:,} tokens")
    dataset = DatasetDict(result)
    config.output.mkdir(parents=True, exist_ok=True)
    dataset.save_to_disk(str(config.output))
    stats["seconds"] = round(time.time() - started)
    stats["config"] = {k: str(v) if isinstance(v, Path) else v for k, v in asdict(config).items()}
    (config.output / "stats.json").write_text(json.dumps(stats, indent=2))
    return dataset, stats
