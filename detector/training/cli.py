"""`unspin-dev`: the developer commands (spin, data build, train, calibrate, eval), apart
from `unspin`, which lists what a user runs. Training libraries (the `train` extra) are
imported only by the commands that need them."""

from __future__ import annotations

import json
from pathlib import Path

import click

from detector import __version__
from detector.cli import _fail
from detector.config import LM_SUGGESTION_CHOICES, Config


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="unspin-dev")
def main():
    """Developer commands of unspin: make training data, train and calibrate the span
    tagger, and evaluate on the real and synthetic sets."""


def _require_training(command: str) -> None:
    """Exit 2 with how to install them when the training libraries are missing."""
    import importlib.util

    missing = [name for name in ("datasets", "sklearn") if importlib.util.find_spec(name) is None]
    if missing:
        _fail(f"unspin-dev {command} needs {' and '.join(missing)}, which the train extra installs: pip install -e '.[train]'")



@main.command()
@click.argument("source", default="-", type=click.File("r", encoding="utf-8"))
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed; the same seed gives the same output.")
@click.option("--rate", type=click.FloatRange(0, 1), default=0.3, show_default=True, help="Share of eligible words to spin.")
@click.option("--kinds", help="Comma-separated behaviours to use (default all): synonym, phrase, compound, pos_slip, register, agreement, real.")
@click.option("--real-pairs", type=click.Path(dir_okay=False, exists=True), help="Tortured → correct pairs (JSON lines) whose swaps the `real` kind makes.")
def spin(source, seed, rate, kinds, real_pairs):
    """Spin an article like a SpinBot-style rewriter; prints {"text", "spans"} as JSON."""
    from detector.lexicon import shipped_lexicon
    from detector.training.spinner import KINDS, SpinConfig, Spinner
    from detector.thesaurus import shipped_thesaurus

    chosen = tuple(k.strip() for k in kinds.split(",")) if kinds else KINDS
    unknown = set(chosen) - set(KINDS)
    if unknown:
        raise click.BadParameter(f"unknown kind(s): {', '.join(sorted(unknown))}", param_hint="--kinds")
    spinner = Spinner(shipped_thesaurus(), shipped_lexicon(), SpinConfig(rate=rate, kinds=chosen), real=_real_swaps(real_pairs))
    click.echo(json.dumps(spinner.spin(source.read(), seed=seed).to_dict(), ensure_ascii=False))


def _real_swaps(path: str | None):
    """The swaps of a file of real tortured → correct pairs, refusing the evaluation pairs."""
    from detector.training.real_swaps import RealSwaps

    if not path:
        return None
    if "dev" in Path(path).stem:
        _fail(f"{path}: the dev pairs are evaluation-only")
    try:
        return RealSwaps.read(Path(path))
    except (OSError, ValueError, KeyError, TypeError) as error:
        _fail(f"{path}: not a file of tortured → correct pairs: {error}")


@main.group()
def data():
    """Build training data from the news corpora."""


@data.command("build")
@click.option("--corpora", type=click.Path(file_okay=False, exists=True), help="Folder with bbc/ and reuters21578/ (default ../shared/corpora).")
@click.option("--output", type=click.Path(file_okay=False), default="work/dataset", show_default=True, help="Where to save the datasets.")
@click.option("--train-passages", type=int, default=26_000, show_default=True)
@click.option("--eval-passages", type=int, default=1_500, show_default=True)
@click.option("--seed", type=int, default=13, show_default=True)
@click.option("--real-pairs", type=click.Path(dir_okay=False, exists=True),
              help="Tortured → correct pairs (JSON lines) whose swaps the spinner also makes; never the evaluation pairs.")
def data_build(corpora, output, train_passages, eval_passages, seed, real_pairs):
    """Spin clean news into labelled train/validation/test datasets (saved with `datasets`)."""
    _require_training("data build")
    from detector.training.corpora import default_root, missing_sources
    from detector.training.dataset import BuildConfig, build
    from detector.lexicon import shipped_lexicon
    from detector.model.base import load_tokenizer
    from detector.training.spinner import Spinner
    from detector.thesaurus import shipped_thesaurus

    real = _real_swaps(real_pairs)
    root = Path(corpora) if corpora else default_root()
    if missing := missing_sources(root):
        _fail(f"{root}: not the training corpora ({', '.join(missing)} missing)")
    config = BuildConfig(
        corpora=root,
        output=Path(output),
        train_passages=train_passages,
        eval_passages=eval_passages,
        seed=seed,
    )
    _, stats = build(config, load_tokenizer(), Spinner(shipped_thesaurus(), shipped_lexicon(), real=real), log=lambda m: click.echo(m, err=True))
    click.echo(json.dumps(stats, indent=2))


@main.command()
@click.option("--dataset", type=click.Path(file_okay=False, exists=True), default="work/dataset", show_default=True)
@click.option("--output", type=click.Path(file_okay=False), default="work/train", show_default=True, help="Checkpoints and training record.")
@click.option("--version", "version", default="unspin-minilm-v3", show_default=True, help="Model version: the folder written in models/.")
@click.option("--models-dir", type=click.Path(file_okay=False), default="models", show_default=True)
@click.option("--epochs", type=float, default=1.0, show_default=True)
@click.option("--max-steps", type=int, help="Stop after this many steps (overrides --epochs).")
@click.option("--batch-size", type=int, default=32, show_default=True)
@click.option("--learning-rate", type=float, default=8e-5, show_default=True)
@click.option("--eval-every", type=int, default=400, show_default=True)
@click.option("--clean-weight", type=float, default=1.5, show_default=True,
              help="Loss weight of clean examples' tokens against spun ones' (1.0): higher trades recall for fewer false findings.")
@click.option("--resume", is_flag=True, help="Continue from the checkpoint in --output (a larger --max-steps stretches the learning-rate schedule).")
@click.option("--tiny", is_flag=True, help="Train a tiny randomly initialised network (for tests).")
@click.option("--init-from", type=click.Path(file_okay=False, exists=True), help="Start from this model version's weights (a folder in models/) instead of the base encoder.")
@click.option("--seed", type=int, default=13, show_default=True)
def train(dataset, output, version, models_dir, epochs, max_steps, batch_size, learning_rate, eval_every, clean_weight, resume, tiny, init_from, seed):
    """Fine-tune the span classifier, calibrate it and write a model version to models/."""
    _require_training("train")
    from detector.training.model_versions import train_model_version

    record = train_model_version(
        dataset=Path(dataset), output=Path(output), folder=Path(models_dir) / version, version=version,
        epochs=epochs, max_steps=max_steps, batch_size=batch_size, learning_rate=learning_rate,
        eval_every=eval_every, resume=resume, tiny=tiny, seed=seed, clean_weight=clean_weight,
        init_from=Path(init_from) if init_from else None, log=lambda m: click.echo(m, err=True),
    )
    click.echo(json.dumps(record["metrics"], indent=2))


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, exists=True))
@click.option("--dataset", type=click.Path(file_okay=False, exists=True), default="work/dataset", show_default=True)
def calibrate(folder, dataset):
    """Refit a model version's calibration and thresholds (full precision and int8) on the
    validation split; `unspin-dev train` does this itself."""
    _require_training("calibrate")
    from detector.training.model_versions import calibrate_model_version
    from detector.model.store import ModelError

    try:
        settings = calibrate_model_version(Path(folder), Path(dataset), log=lambda m: click.echo(m, err=True))
    except ModelError as error:
        _fail(str(error))
    click.echo(json.dumps({"threshold": settings.threshold, "int8_threshold": settings.int8_threshold, **settings.metrics}, indent=2))


@main.command("eval")
@click.argument("folder", required=False, type=click.Path(file_okay=False, exists=True))
@click.option("--gold", type=click.Path(dir_okay=False, exists=True), help="Gold spans (JSON lines: file, start, end, text, canonical); files are read from FOLDER (default: the gold file's name without _gold.jsonl).")
@click.option("--clean", "clean", multiple=True, type=click.Path(exists=True), help="Folder of clean text: every spin finding there is false; repeatable.")
@click.option("--synthetic", type=click.Path(file_okay=False, exists=True), help="Spun datasets folder (unspin-dev data build); evaluates its test split.")
@click.option("--limit", type=int, help="Evaluate at most this many synthetic examples.")
@click.option("--threshold", type=float, help="Score threshold (default: the model's).")
@click.option("--no-model", is_flag=True, help="Tables only.")
@click.option("--no-table", is_flag=True, help="Model only (no mapping tables).")
@click.option("--int8/--fp32", default=Config.int8, show_default=True, help="Run the model int8-quantised or in full precision.")
@click.option("--lm-suggestions", type=click.Choice(LM_SUGGESTION_CHOICES), default=Config.lm_suggestions, show_default=True, help="Rank suggestions with the optional SmolLM2 model.")
@click.option("--fast/--full", default=Config.mode == "fast", show_default=True, help="Evaluate the fast mode, without the language model.")
@click.option("--real", type=click.Path(file_okay=False, exists=True), help="The shared folder (holding dev/ and corpora/): report pps_dev, real/planted, BBC tech and pairs_dev coverage.")
@click.option("--clean-files", type=click.IntRange(1), help="With --real: read only the first N BBC tech files.")
def evaluate(folder, gold, clean, synthetic, limit, threshold, no_model, no_table, int8, lm_suggestions, fast, real, clean_files):
    """Span precision/recall/F1, restoration top-1/top-3 and false findings per 1,000 words."""
    from detector.wiring import build_pipeline
    from detector.training.evaluate import evaluate_clean, evaluate_gold, evaluate_real, evaluate_synthetic

    if not (gold or clean or synthetic or real):
        raise click.UsageError("give --real, --gold, --clean or --synthetic")
    if synthetic:
        _require_training("eval --synthetic")
    config = Config(threshold=threshold, model=not no_model, int8=int8, lm_suggestions=lm_suggestions, mode="fast" if fast else "full")
    config.origin["mode"] = "command line"  # an evaluation of the full mode never falls back
    pipeline, errors = build_pipeline(config, table=not no_table)
    if errors:
        _fail("; ".join(errors))
    report = {
        "threshold": pipeline.threshold,
        "detectors": [f"{d.name} {getattr(d, 'version', '')}" for d in pipeline.detectors if d.name != "quality"],
        "int8": int8,
        "suggestions": pipeline.suggesters[0].name,
        "synthetic_limit": limit,
    }
    if real:
        from detector.suggest.assembly import channel_candidates

        report["real"] = evaluate_real(pipeline, Path(real), channel_candidates, clean_files)
    if gold:
        gold_path = Path(gold)
        files = Path(folder) if folder else gold_path.with_name(gold_path.name.replace("_gold.jsonl", ""))
        report["gold"] = evaluate_gold(pipeline, gold_path, files)
    if clean:
        report["clean"] = evaluate_clean(pipeline, [Path(c) for c in clean])
    if synthetic:
        report["synthetic"] = evaluate_synthetic(pipeline, Path(synthetic), limit=limit)
    click.echo(json.dumps(report, indent=2, ensure_ascii=False))
