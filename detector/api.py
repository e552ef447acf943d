"""The Python API, and the wiring the CLI shares with it: config → pipeline → results."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

from detector.config import Config, find_config, load_config
from detector.files import STDIN, InputError, Target, discover, read_target
from detector.pipeline import FileResult, Pipeline
from detector.readers import format_for, read_document
from detector.suggest.assembly import LM_MISSING, build_suggester, channel_candidates, language_model
from detector.tables import MappingTable, TableError, load_table, shipped_table_paths


def load_tables(config: Config) -> tuple[MappingTable, list[str]]:
    """The shipped tables plus the configured ones; unreadable tables become error lines."""
    from detector.cache import default_cache_dir

    table = MappingTable()
    errors = []
    for path in [*shipped_table_paths(), *config.tables]:
        try:
            table.extend(load_table(path, default_cache_dir()))
        except TableError as error:
            errors.append(str(error))
    return table, errors


def build_pipeline(config: Config, threads: int | None = None, table: bool = True, screen: float | None = None) -> tuple[Pipeline, list[str]]:
    """The pipeline for `config`; `threads`: the model's CPU threads (default: all cores);
    without `table`, no mapping-table detector (to measure the others alone); `screen`:
    the language model reads only documents the fast detectors score at least this."""
    from detector.detectors.quality import QualityDetector
    from detector.detectors.table import TableDetector
    from detector.quality import RULE_MODULES

    tables, errors = load_tables(config)
    detectors = [TableDetector(tables)] if table else []
    detectors += [QualityDetector({m.RULE.code for m in RULE_MODULES if not config.reports(m.RULE.code)})]
    default_threshold = 0.5
    model = None
    if config.model:
        model, error = load_shipped_model(config.int8, threads)
        if error:
            errors.append(error)
        elif model:
            default_threshold = model.settings.threshold
    channel = None
    if config.mode == "full" and config.model:
        channel, error = build_channel_detector(focus=tagged_words(model) if model else None)
        if channel is not None:
            detectors.append(channel)
            default_threshold = channel.calibration.threshold
        elif config.origin_of("mode") == "default":
            _say_once(f"unspin: checking in fast mode: the language model that reads each article is missing; {LM_MISSING}")
        else:
            errors.append(error)
    if model and (channel is None or screen is not None):
        from detector.model.detector import ModelDetector

        # Where the language model reads, the tagger only chooses where it looks: its own
        # findings are right for under half of real tortured phrases (docs/experiments.md);
        # with a screen they stand for the documents it does not read.
        detectors.append(ModelDetector(model, superseded=channel is not None))
    suggester, error = build_suggester(tables, config.lm_suggestions, model)
    if error:
        errors.append(error)
    return Pipeline(config, detectors, [suggester], default_threshold, screen), errors


def tagged_words(model):
    """The span tagger's suspect words in each text, for the channel detector to rescore."""
    return lambda texts: model.word_probabilities(texts, at_least=model.settings.word_threshold)


def build_channel_detector(calibration=None, focus=None):
    """(the channel detector, None) or (None, error line) when its language model is
    missing; `calibration`: the shipped one (data/channel.json) unless given; `focus`: the
    tagger's suspect words (ChannelDetector)."""
    from detector.cache import default_cache_dir
    from detector import language_model as engine
    from detector.detectors.channel import Calibration, ChannelDetector

    if not engine.available(default_cache_dir()):
        return None, f"mode = full, but {LM_MISSING}"
    return ChannelDetector(language_model, channel_candidates, calibration or Calibration.shipped(), engine.NAME, focus), None


@functools.cache
def _say_once(message: str) -> None:
    print(message, file=sys.stderr)


def load_shipped_model(int8: bool = False, threads: int | None = None):
    """(SpanModel or None, error line or None) for the newest model version in models/."""
    from detector.model.store import ModelError, shipped_model_dir

    folder = shipped_model_dir()
    if folder is None:
        return None, None
    from detector.model.detector import SpanModel

    try:
        return SpanModel.load(folder, int8=int8, threads=threads), None
    except ModelError as error:
        return None, str(error)
    except Exception as error:  # an export or runtime failure must not become a traceback
        return None, f"{folder}: cannot load model: {type(error).__name__}: {error}"


BATCH_WORDS = 20_000
BATCH_FILES = 64


def check_targets(
    pipeline: Pipeline,
    targets: list[Target],
    stdin_filename: str | None = None,
    stdin=None,
    cache=None,
    progress=None,
    sources: dict[str, str] | None = None,
) -> list[FileResult]:
    """Results for targets in their order. Files are read one by one but checked in
    groups (whose model windows are shared out over the cores); cached results are reused.
    When `sources` is given, each decoded text is kept there by its displayed path."""
    config = pipeline.config
    results: list[FileResult | None] = [None] * len(targets)
    batch: list[tuple[int, object, str | None]] = []
    batch_words = 0

    def flush():
        nonlocal batch, batch_words
        if batch:
            for (index, _, key), result in zip(batch, pipeline.check([doc for _, doc, _ in batch])):
                results[index] = result
                if cache is not None:
                    cache.put(key, {k: v for k, v in result.to_record().items() if k != "path"})
            if progress:
                progress(len(batch))
        batch, batch_words = [], 0

    for index, target in enumerate(targets):
        display = stdin_filename if target.display == STDIN and stdin_filename else target.display
        try:
            source = read_target(target, config.encoding, config.max_bytes, stdin)
        except InputError as error:
            results[index] = FileResult(path=display, error=str(error))
            if progress:
                progress(1)
            continue
        if sources is not None:
            sources[display] = source
        fmt = format_for(display)
        key = cache.key(source, fmt) if cache is not None else None
        cached = cache.get(key) if cache is not None else None
        if cached is not None:
            results[index] = FileResult.from_dict({**cached, "path": display})
            if progress:
                progress(1)
            continue
        batch.append((index, read_document(display, source, fmt), key))
        batch_words += len(source.split())
        if batch_words >= BATCH_WORDS or len(batch) >= BATCH_FILES:
            flush()
    flush()
    return results


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
