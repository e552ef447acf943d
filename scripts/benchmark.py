"""Benchmark `unspin check` against the naive pipeline, in one run on one machine.

    python scripts/benchmark.py [--articles 500] [--repeat 3] [--corpora ../shared/corpora]

Builds a folder of articles from the BBC corpus at run time (never committed), then
measures, each as the median of --repeat runs in fresh processes:

- the naive baseline: transformers' pipeline("token-classification") called once per file,
  with the same trained encoder and head (without unspin's casing feature);
- `unspin check` on the folder (no cache) as a fresh install runs it, with the model in the
  other precision (full precision or int8), with the optional SmolLM2 suggestion judge (when
  installed), with --jobs 2, and again with a warm cache;
- a cold check of one 800-word article (process start to exit), and the very first check
  of it, which also exports the ONNX model into the empty cache folder;
- the same for that article spun by unspin's spinner (every finding gets suggestions; the
  first check with findings builds the suggestion index into the cache folder);
- `unspin check --no-model` (tables and quality rules only);
- with the SmolLM2 package installed, the default check, in which the language model reads
  every article, on the first --full-articles articles in bfloat16 and in float32 (each
  row names its precision; bfloat16 pays only where the CPU lists `amx_bf16`), and the
  cold default checks of both 800-word articles.

All rows but those are `--fast` (tables, tagger and quality rules).

Prints a Markdown table (words/s, wall time, peak RSS, ratios to the baseline) for
BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from detector.config import Config
from detector.language_model import cpu_flags, gguf_folder, preferred_precision

ROOT = Path(__file__).resolve().parent.parent
SPIN_RATE = 0.1


def build_articles(corpora: Path, folder: Path, count: int) -> int:
    sources = sorted((corpora / "bbc").glob("*/*.txt"))
    words = 0
    for i, source in enumerate(sources[:count]):
        text = source.read_bytes().decode("utf-8", errors="replace")
        (folder / f"{i:04d}.txt").write_text(text, encoding="utf-8")
        words += len(text.split())
    return words


def spin(source: Path, target: Path) -> None:
    from detector.lexicon import shipped_lexicon
    from detector.training.spinner import Spinner
    from detector.thesaurus import shipped_thesaurus

    spun = Spinner(shipped_thesaurus(), shipped_lexicon()).spin(source.read_text(encoding="utf-8"), seed=1, rate=SPIN_RATE)
    target.write_text(spun.text, encoding="utf-8")


def run(command: list[str], env: dict | None = None) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MB, exit status) of one command in a fresh process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(command)} failed: {process.stderr.read().decode()[-2000:]}")
    return wall, usage.ru_maxrss / 1024, process.returncode


def median_run(command: list[str], repeat: int, env: dict | None = None, before=None) -> dict:
    walls, peaks = [], []
    for _ in range(repeat):
        if before:
            before()
        wall, peak, _ = run(command, env)
        walls.append(wall)
        peaks.append(peak)
    return {"wall": statistics.median(walls), "rss": max(peaks)}


def baseline(folder: str) -> None:
    """The naive pipeline: one transformers pipeline call per file."""
    from transformers import AutoTokenizer, BertForTokenClassification, pipeline

    from detector.model.base import base_model_path
    from detector.model.store import load_model, shipped_model_dir

    network, settings, _ = load_model(shipped_model_dir())
    model = BertForTokenClassification.from_pretrained(base_model_path(), num_labels=3)
    model.bert.load_state_dict(network.bert.state_dict(), strict=False)
    model.classifier.load_state_dict(network.classifier.state_dict())
    tagger = pipeline("token-classification", model=model, tokenizer=AutoTokenizer.from_pretrained(base_model_path()), aggregation_strategy="simple", stride=32)
    for path in sorted(Path(folder).glob("*.txt")):
        tagger(path.read_text(encoding="utf-8"))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--full-articles", type=int, default=40, help="Articles the default (language-model) check reads, once per precision.")
    parser.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    parser.add_argument("--baseline-folder", help=argparse.SUPPRESS)
    parser.add_argument("--spin", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline_folder:
        baseline(args.baseline_folder)
        return
    if args.spin:
        spin(*map(Path, args.spin))
        return

    work = Path(tempfile.mkdtemp(prefix="unspin-bench-"))
    folder = work / "articles"
    folder.mkdir()
    words = build_articles(args.corpora, folder, args.articles)
    single = work / "single.txt"
    # the first articles' words up to 800 (one article is shorter)
    article_words = [w for path in sorted(folder.glob("*.txt")) for w in path.read_text(encoding="utf-8").split()]
    single.write_text(" ".join(article_words[:800]) + "\n", encoding="utf-8")
    spun = work / "spun.txt"
    # spun in a child process: memory the parent holds is counted in its children's peak RSS
    subprocess.run([sys.executable, __file__, "--spin", str(single), str(spun)], check=True)
    cache = work / "cache"
    env = {**os.environ, "UNSPIN_CACHE_DIR": str(cache)}
    unspin = [sys.executable, "-m", "detector", "check", "--quiet", "--format", "json"]
    # The defaults of a fresh install: the optional language model is not installed there.
    default_config = work / "default.toml"
    default_config.write_text('lm-suggestions = "off"\n')
    full = [*unspin, "--config", str(default_config)]
    default = [*full, "--fast"]
    other_precision = "full precision" if Config.int8 else "int8"
    other_config = work / "other-precision.toml"
    other_config.write_text(f'lm-suggestions = "off"\nint8 = {"false" if Config.int8 else "true"}\n')
    lm_config = work / "lm.toml"
    lm_config.write_text('lm-suggestions = "on"\n')

    flags = cpu_flags()
    print(f"machine: {os.cpu_count()} cores, amx_bf16 {'yes' if 'amx_bf16' in flags else 'no'}, avx512_bf16 {'yes' if 'avx512_bf16' in flags else 'no'}; {args.articles} articles, {words:,} words; median of {args.repeat} runs")
    rows = {}
    # First use exports the ONNX model into the empty cache (torch loaded: the run's peak
    # memory); it is timed on its own so the rows below measure checking only.
    first_wall, first_rss, _ = run([*default, "--no-cache", str(single)], env)
    run([*unspin, "--fast", "--no-cache", "--config", str(other_config), str(single)], env)
    index_wall, index_rss, _ = run([*default, "--no-cache", str(spun)], env)
    rows["naive baseline (pipeline per file)"] = median_run([sys.executable, __file__, "--baseline-folder", str(folder)], args.repeat)
    rows["unspin check --fast"] = median_run([*default, "--no-cache", str(folder)], args.repeat, env)
    rows[f"unspin check --fast ({other_precision} model)"] = median_run([*unspin, "--fast", "--no-cache", "--config", str(other_config), str(folder)], args.repeat, env)
    if gguf_folder() is not None:
        run([*unspin, "--fast", "--no-cache", "--config", str(lm_config), str(single)], env)  # convert the GGUF once
        rows["unspin check --fast with the SmolLM2 suggestion judge"] = median_run([*unspin, "--fast", "--no-cache", "--config", str(lm_config), str(folder)], args.repeat, env)
    rows["unspin check --fast --jobs 2"] = median_run([*default, "--no-cache", "-j", "2", str(folder)], args.repeat, env)
    run([*default, str(folder)], env)  # fill the cache
    rows["unspin check --fast, warm cache"] = median_run([*default, str(folder)], args.repeat, env)
    rows["unspin check --no-model"] = median_run([*default, "--no-cache", "--no-model", str(folder)], args.repeat, env)
    cold = median_run([*default, "--no-cache", str(single)], args.repeat, env)
    cold_spun = median_run([*default, "--no-cache", str(spun)], args.repeat, env)
    help_run = median_run([sys.executable, "-m", "detector", "--help"], args.repeat, env)
    reading, cold_reading, subset_words = {}, {}, 0
    if gguf_folder() is not None:
        run([*full, "--no-cache", str(single)], env)  # converts the GGUF into the cache once
        subset = work / "subset"
        subset.mkdir()
        for path in sorted(folder.glob("*.txt"))[: args.full_articles]:
            shutil.copy(path, subset / path.name)
            subset_words += len(path.read_text(encoding="utf-8").split())
        for precision in ("bfloat16", "float32"):
            reading[precision] = median_run([*full, "--no-cache", str(subset)], 1, {**env, "UNSPIN_LM_PRECISION": precision})
        for name, path in (("", single), (" spun", spun)):
            cold_reading[name] = median_run([*full, "--no-cache", str(path)], args.repeat, env)

    base = rows["naive baseline (pipeline per file)"]["wall"]
    first = rows["unspin check --fast"]["wall"]
    print("| run | wall (s) | words/s | × baseline | peak RSS (MB) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, row in rows.items():
        print(f"| {name} | {row['wall']:.1f} | {words / row['wall']:,.0f} | {base / row['wall']:.2f} | {row['rss']:.0f} |")
    print(f"| cold check of one 800-word article | {cold['wall']:.2f} | | | {cold['rss']:.0f} |")
    print(f"| cold check of that article spun ({SPIN_RATE:.0%} of eligible words swapped) | {cold_spun['wall']:.2f} | | | {cold_spun['rss']:.0f} |")
    print(f"| first use: ONNX export, then the clean article's check | {first_wall:.2f} | | | {first_rss:.0f} |")
    print(f"| first check with findings: suggestion index built, then the spun article's check | {index_wall:.2f} | | | {index_rss:.0f} |")
    fast = words / rows["unspin check --fast"]["wall"]
    for precision, row in reading.items():
        speed = subset_words / row["wall"]
        print(f"| unspin check (default: the language model reads; {precision}), first {args.full_articles} articles, {subset_words:,} words | {row['wall']:.1f} | {speed:,.0f} | {speed / fast:.3f} of --fast | {row['rss']:.0f} |")
    for name, row in cold_reading.items():
        print(f"| cold default check of the{name} article ({preferred_precision()}) | {row['wall']:.2f} | {800 / row['wall']:,.0f} | | {row['rss']:.0f} |")
    print(f"| `unspin --help` | {help_run['wall']:.2f} | | | {help_run['rss']:.0f} |")
    print(f"\nwarm-cache re-run speed-up: {first / rows['unspin check --fast, warm cache']['wall']:.1f}×")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
