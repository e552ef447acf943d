"""Write models/<version>/MODEL_CARD.md from the files that hold the measurements.

    python scripts/write_model_card.py models/unspin-minilm-v3

Reads config.json (training settings, calibration, validation metrics), manifest.json
(SHA-256 sums), evaluation.json and evaluation-int8.json (the output of `unspin-dev eval`
without and with --int8, saved by hand with the command in the card) so every figure in
the card is one that was measured.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from detector.config import Config

TRAIN_COMMAND = (
    "unspin-dev train --dataset work/dataset --output work/train --version {version} --max-steps {steps} "
    "--eval-every {eval_every} --clean-weight {clean_weight}{resume}"
)

# The whole synthetic test split takes a few minutes per run; with the language model
# judging suggestions, over an hour, so that run takes its first 300 examples.
EVAL_COMMAND = (
    "unspin-dev eval --synthetic work/dataset {limit}--gold ../shared/dev/pps_dev_gold.jsonl "
    "{clean}--lm-suggestions {lm}{flag} > models/{version}/{name}"
)
CLEAN = "--clean ../shared/corpora/bbc/tech "
EVALUATIONS = (  # file, limit, clean, lm-suggestions, precision flag, label
    ("evaluation.json", None, CLEAN, "off", " --fp32", "full precision" + ("" if Config.int8 else ", as `unspin check` runs by default")),
    ("evaluation-int8.json", None, CLEAN, "off", " --int8", "int8-quantised" + (", as `unspin check` runs by default" if Config.int8 else " (`int8 = true`)")),
    ("evaluation-lm.json", 300, CLEAN, "on", "", "default precision, suggestions ranked by the optional SmolLM2 judge"),
)


def train_commands(version: str, training: dict) -> list[str]:
    """One train command per stage of the run (training.py's max_steps_by_stage): each
    resume with a larger --max-steps stretches the learning-rate schedule."""
    config = training["config"]
    stages = training.get("max_steps_by_stage") or [training["steps"]]
    return [
        TRAIN_COMMAND.format(version=version, steps=steps, eval_every=config["eval_every"], clean_weight=config["clean_weight"], resume=" --resume" if i else "")
        for i, steps in enumerate(stages)
    ]


def evaluation_table(evaluation: dict, command: str, label: str) -> list[str]:
    lines = ["", f"Tables + model, {label}:", "", "```", command, "```", ""]
    lines += ["| set | precision | recall | F1 | false findings / 1,000 words | restoration top-1 / top-3 |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    if "synthetic" in evaluation:
        s, r = evaluation["synthetic"]["spans"], evaluation["synthetic"]["restoration"]
        examples = f"first {evaluation['synthetic_limit']:,} examples" if evaluation["synthetic_limit"] else "all examples"
        lines.append(f"| synthetic test split ({examples}, {s['gold']:,} spun spans) | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {s['false_per_1000_words']:.2f} | {r['top1']:.4f} / {r['top3']:.4f} |")
    if "gold" in evaluation:
        s, r = evaluation["gold"]["spans"], evaluation["gold"]["restoration"]
        lines.append(f"| ../shared/dev/pps_dev (64 real tortured phrases) | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | {s['false_per_1000_words']:.2f} | {r['top1']:.4f} / {r['top3']:.4f} |")
    if "clean" in evaluation:
        c = evaluation["clean"]
        lines.append(f"| ../shared/corpora/bbc/tech (clean, {c['words']:,} words) | | | | {c['false_per_1000_words']:.3f} | |")
    lines.append(f"\nThreshold {evaluation['threshold']}; detectors: {', '.join(evaluation['detectors'])}; suggestions: {evaluation['suggestions'].removeprefix('suggest:')}.")
    return lines


def main():
    folder = Path(sys.argv[1])
    settings = json.loads((folder / "config.json").read_text())
    manifest = json.loads((folder / "manifest.json").read_text())
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
        "  calibrated by isotonic regression on the validation split, once for the shipped network in full",
        "  precision and once for its int8-quantised ONNX export (per-channel dynamic quantisation), since",
        f"  quantisation shifts raw scores. `unspin check` runs the ONNX export {'int8-quantised' if Config.int8 else 'in full precision'} by default",
        f"  (`int8 = {'false' if Config.int8 else 'true'}` for the other). ONNX Runtime runs each window on its own:",
        "  int8 scales activations per input tensor, so in a shared batch a window's scores moved with its",
        "  batch-mates.",
        f"- Default threshold (calibrated score): **{settings['threshold']}** in full precision, **{settings.get('int8_threshold')}** int8;",
        "  for each, the lowest threshold at which the validation split reaches precision 0.90 with at most 0.3",
        "  false findings per 1,000 words on its clean passages (if none does, the most precise one).",
        "",
        "## Data",
        "Synthetic: clean news passages (BBC business, entertainment, politics, sport; Reuters-21578)",
        "spun by `unspin-dev spin`'s spinner, split by document; see `data/README.md` (data card).",
        "BBC tech and `../shared/dev` were never used for training, calibration or choosing settings.",
        "The spinner has changed since this dataset was built; the data card names the commit that rebuilds it.",
        "",
        "## Training",
        "```",
        "unspin-dev data build --output work/dataset",
        *train_commands(version, training),
        f"unspin-dev calibrate models/{version} --dataset work/dataset   # train ends with this; it refits both precisions",
        "```",
        "",
        "| hyper-parameter | value |",
        "| --- | --- |",
    ]
    length = ("max_steps",) if config["max_steps"] else ("epochs",)  # max_steps overrides epochs
    for key in ("batch_size", "learning_rate", "warmup_share", "weight_decay", "clean_weight", *length, "seed", "threads"):
        lines.append(f"| {key} | {config[key]} |")
    lines += [
        f"| steps run | {training['steps']} |",
        f"| training examples / tokens | {training['train_examples']:,} / {training['train_tokens']:,} |",
        f"| wall time (all stages) | {training['seconds'] / 60:.0f} min on 2 CPU cores |",
        f"| best validation token F1 | {training['best_validation_token_f1']:.4f} |",
        "",
        "## Metrics",
        "",
        "Span metrics: a gold span is found when findings cover ≥ 50% of its non-space characters; a",
        "finding is correct when ≥ 50% of its non-space characters lie inside a gold span.",
        "",
        "Validation split at the default thresholds (model only; full precision, then int8):",
        "",
        "```json",
        json.dumps({k: settings["metrics"][k] for k in ("validation_at_threshold", "int8_validation_at_threshold") if k in settings["metrics"]}, indent=2),
        "```",
    ]
    for name, limit, clean, lm, flag, label in EVALUATIONS:
        if (folder / name).is_file():
            command = EVAL_COMMAND.format(limit=f"--limit {limit} " if limit else "", clean=clean, lm=lm, flag=flag, version=version, name=name)
            lines += evaluation_table(json.loads((folder / name).read_text()), command, label)
    lines += [
        "",
        "## Limitations",
        "",
        "Trained only on our own spins of news text: compare the synthetic rows with the pps_dev row",
        "(real tortured phrases from scientific papers) and the BBC tech row (clean text of another",
        "domain) before trusting a finding from the model alone. Spun Title Case offices",
        "(\"Unfamiliar Clergyman\") often score below the threshold; the mapping tables catch the listed ones.",
        "The synthetic restoration figures flatter the suggester: the thesaurus that made the spins is the one",
        "it searches backwards, and the canonical lexicon it searches was mined from every document of the",
        "training corpora, the ones the synthetic validation and test splits are cut from included (data/README.md);",
        "the suggestion ranker learned from this spinner's swaps (train split only), its habits included,",
        "and the word search undoes the way it inflects a synonym, made-up forms too (\"stylishest\" for \"latest\").",
    ]
    lines += ["", "## Files", "", "| file | SHA-256 (checked at load) |", "| --- | --- |"]
    lines += [f"| {name} | `{digest}` |" for name, digest in manifest["sha256"].items()]
    lines.append("")
    (folder / "MODEL_CARD.md").write_text("\n".join(lines))
    print(f"wrote {folder / 'MODEL_CARD.md'}")


if __name__ == "__main__":
    main()
