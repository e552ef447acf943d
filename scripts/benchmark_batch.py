"""Benchmark `unspin batch` on Ray against `unspin check --jobs 2`, in one run on one machine.

    python scripts/benchmark_batch.py [--articles 2000] [--corpora ../shared/corpora]

Builds, at run time, a JSON-lines archive and a folder of the same articles (BBC news
outside bbc/tech, then Reuters), then times in fresh processes, one run each:

- `unspin check --jobs 2` on the folder (the baseline);
- `unspin batch` on the archive with 1 and with 2 checking actors (a local Ray cluster
  started by the command, its start-up included);
- the same two jobs with the tables and quality rules only (`--no-model`), where the
  checking itself is cheap: the difference per article is the overhead Ray adds;
- `unspin batch` on a one-article archive, with and without the model: Ray's fixed
  start-up cost (and the model's load).

Memory: for `check` the command's peak RSS, for `batch` the peak RSS of one checking actor
(sampled from /proc every half second), which is what sizes a cluster node.

Prints a Markdown table for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchmark import ROOT, run  # noqa: E402


def articles(corpora: Path, count: int) -> list[str]:
    """`count` article texts: BBC news outside bbc/tech (evaluation-only), then Reuters."""
    from detector.training.corpora import training_documents

    texts = []
    for _, text in training_documents(corpora):
        if len(text.split()) >= 50:
            texts.append(text)
        if len(texts) == count:
            break
    return texts


def actor_memory(stop: threading.Event, peak: list[float]) -> None:
    """The largest resident memory of any checking actor while `stop` is unset (MB)."""
    while not stop.wait(0.5):
        for entry in Path("/proc").iterdir():
            try:
                if entry.name.isdigit() and b"MapWorker" in (entry / "cmdline").read_bytes():
                    rss = int((entry / "statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
                    peak[0] = max(peak[0], rss)
            except (OSError, ValueError):
                continue


def run_batch(command: list[str], env: dict) -> tuple[float, float, int]:
    """`run`, with the peak memory of one actor in place of the command's."""
    stop, peak = threading.Event(), [0.0]
    sampler = threading.Thread(target=actor_memory, args=(stop, peak))
    sampler.start()
    try:
        wall, _, status = run(command, env)
    finally:
        stop.set()
        sampler.join()
    return wall, peak[0], status


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="unspin-batch-bench-"))
    texts = articles(args.corpora, args.articles)
    words = sum(len(t.split()) for t in texts)
    folder = work / "articles"
    folder.mkdir()
    with open(work / "articles.jsonl", "w", encoding="utf-8") as archive:
        for i, text in enumerate(texts):
            (folder / f"{i:05d}.txt").write_text(text, encoding="utf-8")
            archive.write(json.dumps({"id": f"{i:05d}", "text": text}) + "\n")
    (work / "one.jsonl").write_text(json.dumps({"id": "0", "text": texts[0]}) + "\n", encoding="utf-8")
    config = work / "default.toml"
    config.write_text('lm-suggestions = "off"\n')
    env = {**os.environ, "UNSPIN_CACHE_DIR": str(work / "cache")}
    unspin = [sys.executable, "-m", "detector"]
    check = [*unspin, "check", "--quiet", "--format", "json", "--no-cache", "--config", str(config)]

    def batch(name: str, *options: str, archive: str = "articles.jsonl") -> list[str]:
        shutil.rmtree(work / name, ignore_errors=True)
        return [*unspin, "batch", str(work / archive), "--output", str(work / name), "--quiet", "--config", str(config), *options]

    print(f"machine: {os.cpu_count()} cores; {len(texts)} articles, {words:,} words; one run each", file=sys.stderr)
    run([*check, str(folder / "00000.txt")], env)  # export the ONNX model into the cache first
    rows = {
        "unspin check --jobs 2 (folder)": run([*check, "--jobs", "2", str(folder)], env),
        "unspin batch --workers 1": run_batch(batch("out1", "--workers", "1"), env),
        "unspin batch --workers 2": run_batch(batch("out2", "--workers", "2"), env),
    }
    plain = {
        "unspin check --no-model": run([*check, "--no-model", str(folder)], env),
        "unspin batch --no-model --workers 1": run_batch(batch("plain1", "--no-model", "--workers", "1"), env),
    }
    start_up = run_batch(batch("single", "--workers", "1", archive="one.jsonl"), env)
    plain_start_up = run_batch(batch("plain-single", "--no-model", "--workers", "1", archive="one.jsonl"), env)
    base = rows["unspin check --jobs 2 (folder)"][0]
    print("| run | wall (s) | words/s | × check --jobs 2 | peak RSS (MB): check's process, one batch actor |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, (wall, rss, _) in {**rows, **plain}.items():
        print(f"| {name} | {wall:.1f} | {words / wall:,.0f} | {base / wall:.2f} | {rss:.0f} |")
    print(f"| unspin batch on one article (Ray start-up and model load) | {start_up[0]:.1f} | | | {start_up[1]:.0f} |")
    print(f"| unspin batch --no-model on one article (Ray start-up) | {plain_start_up[0]:.1f} | | | {plain_start_up[1]:.0f} |")
    overhead = (plain["unspin batch --no-model --workers 1"][0] - plain_start_up[0] - plain["unspin check --no-model"][0]) / len(texts)
    print(f"\nRay's overhead per article (tables-only batch less its one-article run, less tables-only check): {overhead * 1000:.2f} ms")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
