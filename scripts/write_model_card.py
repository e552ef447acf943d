"""Write models/<version>/MODEL_CARD.md from the files that hold the measurements.

    python scripts/write_model_card.py models/unspin-minilm-v1

Reads config.json (training settings, calibration, validation metrics), manifest.json
(SHA-256 sums) and evaluation.json (the output of `unspin eval`, saved by hand with the
command in the card) so every figure in the card is one that was measured.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

TRAIN_COMMAND = "unspin train --dataset work/dataset --output work/train --version {version} --max-steps {steps} --eval-every {eval_every}"
EVAL_COMMAND = (
    "unspin eval --synthetic work/dataset --gold ../shared/dev/pps_dev_gold.jsonl "
    "--clean ../shared/corpora/bbc/tech > models/{version}/evaluation.json"
)


def main():
    folder = Path(sys.argv[1])
    settings = json.loads((folder / "config.json").read_text())
    manifest = json.loads((folder / "manifest.json").read_text())
    evaluation = json.loads((folder / "evaluation.json").read_text()) if (folder / "evaluation.json").is_file() else None
    training = settings["training"]
    config = training["config"]
    version = settings["version"]
    lines = [
        f"# Model card: {version}",
        "",
        "Token classifier (BIO over spun spans) that flags machine-spun phrasing, used by",
        "`unspin check` by default (rule SPUN001, source `model`).",
        "",
        "## Model",
        f"- Base: all-MiniLM-L6-v2 from `{settings['base']}` (6 layers, hidden 384, uncased), loaded offline.",
        "- Added: a 5-class casing embedding (lower, capitalised mid-sentence, capitalised at sentence",
        "  start, upper, other) added to the input embeddings, since the base model is uncased; a",
        "  linear BIO head.",
        "- Trained: every layer except the word-embedding matrix, which stays at the base values and",
        "  is not shipped. `model.safetensors` holds the trained tensors in float16.",
        f"- Inference: windows of {settings['max_tokens']} tokens with stride {settings['stride']}; word probability = mean over",
        f"  sub-words; words ≥ {settings['word_threshold']} join into spans; span score = mean word probability,",
        "  calibrated by isotonic regression on the validation split; by default the linear layers run",
        "  int8-quantised (dynamic), see BENCHMARKS.md.",
        f"- Default threshold (calibrated score): **{settings['threshold']}**, the lowest threshold at which the",
        "  validation split reaches precision 0.90 with at most 0.3 false findings per 1,000 words on its clean",
        "  passages (if none does, the most precise one).",
        "",
        "## Data",
        "Synthetic: clean news passages (BBC business, entertainment, politics, sport; Reuters-21578)",
        "spun by `unspin spin`'s spinner, split by document; see `data/README.md` (data card).",
        "BBC tech and `../shared/dev` were never used for training, calibration or choosing settings.",
        "",
        "## Training",
        "```",
        "unspin data build --output work/dataset",
        TRAIN_COMMAND.format(version=version, steps=training["steps"], eval_every=config["eval_every"]),
        "```",
        "",
        "| hyper-parameter | value |",
        "| --- | --- |",
    ]
    for key in ("batch_size", "learning_rate", "warmup_share", "weight_decay", "clean_weight", "epochs", "max_steps", "seed", "threads"):
        lines.append(f"| {key} | {config[key]} |")
    lines += [
        f"| steps run | {training['steps']} |",
        f"| training examples / tokens | {training['train_examples']:,} / {training['train_tokens']:,} |",
        f"| wall time | {training['seconds'] / 60:.0f} min on 2 CPU cores |",
        f"| best validation token F1 | {training['best_validation_token_f1']:.4f} |",
        "",
        "## Metrics",
        "",
        "Span metrics: a gold span is found when findings cover ≥ 50% of its non-space characters; a",
        "finding is correct when ≥ 50% of its non-space characters lie inside a gold span.",
        "",
        "Validation split at the default threshold (model only, fp32):",
        "",
        "```json",
        json.dumps(settings["metrics"]["validation_at_threshold"], indent=2),
        "```",
    ]
    if evaluation:
        lines += ["", "Measured with (tables + model, as `unspin check` runs):", "", "```", EVAL_COMMAND.format(version=version), "```", ""]
        lines += ["| set | precision | recall | F1 | false findings / 1,000 words | restoration top-1 / top-3 |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
        if "synthetic" in evaluation:
            s, r = evaluation["synthetic"]["spans"], evaluation["synthetic"]["restoration"]
            lines.append(f"| synthetic test split | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {s['false_per_1000_words']:.2f} | {r['top1']:.3f} / {r['top3']:.3f} |")
        if "gold" in evaluation:
            s, r = evaluation["gold"]["spans"], evaluation["gold"]["restoration"]
            lines.append(f"| ../shared/dev/pps_dev (64 real tortured phrases) | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {s['false_per_1000_words']:.2f} | {r['top1']:.3f} / {r['top3']:.3f} |")
        if "clean" in evaluation:
            c = evaluation["clean"]
            lines.append(f"| ../shared/corpora/bbc/tech (clean, {c['words']:,} words) | | | | {c['false_per_1000_words']:.3f} | |")
        lines.append(f"\nThreshold {evaluation['threshold']}; detectors: {', '.join(evaluation['detectors'])}; int8: {evaluation.get('int8')}.")
    lines += ["", "## Files", "", "| file | SHA-256 (checked at load) |", "| --- | --- |"]
    lines += [f"| {name} | `{digest}` |" for name, digest in manifest["sha256"].items()]
    lines.append("")
    (folder / "MODEL_CARD.md").write_text("\n".join(lines))
    print(f"wrote {folder / 'MODEL_CARD.md'}")


if __name__ == "__main__":
    main()
