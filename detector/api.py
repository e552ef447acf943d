"""The Python API and what `unspin check` and `fix` run: config → pipeline (wiring.py) →
results (checking.py), in this process or in worker processes (parallel.py)."""

from __future__ import annotations

import os
from pathlib import Path

from detector.checking import check_targets
from detector.config import Config, find_config, load_config
from detector.files import STDIN, Target, discover
from detector.pipeline import FileResult, Pipeline
from detector.readers import read_document
from detector.tables import TableError
from detector.wiring import build_pipeline


def check_job(
    config: Config,
    targets: list[Target],
    pipeline: Pipeline,
    jobs: int = 1,
    use_cache: bool = True,
    stdin_filename: str | None = None,
    progress=None,
    sources: dict[str, str] | None = None,
) -> list[FileResult]:
    """What `unspin check` and `unspin fix` run over their targets: `check_targets` with
    the result cache (unless `use_cache` is false), or, for several files and `jobs` > 1,
    the same in worker processes (parallel.py; stdin is read here, so then it is not).
    `sources` as in `check_targets`."""
    if jobs > 1 and len(targets) > 1 and not any(t.display == STDIN for t in targets):
        from detector.parallel import check_parallel

        return check_parallel(config, targets, jobs, use_cache, progress, sources)
    cache = None
    if use_cache:
        from detector.cache import ResultCache, default_cache_dir

        cache = ResultCache(default_cache_dir(), pipeline.fingerprint)
    return check_targets(pipeline, targets, stdin_filename, cache=cache, progress=progress, sources=sources)


def plan_fix_targets(
    config: Config,
    targets: list[Target],
    pipeline: Pipeline,
    unsafe_min_score: float | None = None,
    jobs: int = 1,
    use_cache: bool = True,
    stdin_filename: str | None = None,
) -> list:
    """`unspin fix`'s plans (fix.FilePlan), one per target in order: safe fixes, and with
    `unsafe_min_score` guesses of findings scoring at least that (fix.plan_fixes)."""
    from detector.fix import FilePlan, plan_fixes

    sources: dict[str, str] = {}
    plans = []
    for target, result in zip(targets, check_job(config, targets, pipeline, jobs, use_cache, stdin_filename, sources=sources)):
        if result.error is not None:
            plans.append(FilePlan(result.path, target, error=result.error))
            continue
        source = sources[result.path]
        fixes, skipped = plan_fixes(read_document(result.path, source), result.findings, unsafe_min_score)
        plans.append(FilePlan(result.path, target, source, fixes, skipped))
    return plans


def check_text(text: str, path: str = "<text>", fmt: str | None = None, config: Config | None = None) -> FileResult:
    """Check one text; `fmt` is "text", "markdown" or "html" (default: from `path`)."""
    pipeline, errors = build_pipeline(config or Config())
    if errors:
        raise TableError("; ".join(errors))
    return pipeline.check([read_document(path, text, fmt)])[0]


def check_paths(paths: list[str | Path], config: Config | None = None) -> list[FileResult]:
    """Check files and folders like `unspin check`; config is found from the first path if not given."""
    names = [str(p) for p in paths]
    if config is None:
        found = find_config(Path(os.path.abspath(names[0]))) if names else None
        config = load_config(found)
    pipeline, errors = build_pipeline(config)
    if errors:
        raise TableError("; ".join(errors))
    targets = discover(names, config.extensions, config.include, config.exclude)
    return check_targets(pipeline, targets)
