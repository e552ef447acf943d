"""Targets → results: files read one by one, checked in groups by a pipeline, with the
result cache. `unspin check` and `fix` run it directly or in worker processes
(parallel.py)."""

from __future__ import annotations

from detector.files import STDIN, InputError, Target, read_target
from detector.pipeline import FileResult, Pipeline
from detector.readers import format_for, read_document

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
            for (index, _, key), result in zip(batch, _check(pipeline, [doc for _, doc, _ in batch])):
                results[index] = result
                if cache is not None and result.error is None:
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
        fmt = target.format or format_for(display)
        key = cache.key(source, fmt) if cache is not None else None
        cached = cache.get(key) if cache is not None else None
        if cached is not None:
            results[index] = FileResult.from_dict({**cached, "path": display})
        else:
            try:
                batch.append((index, read_document(display, source, fmt), key))
            except Exception as error:  # a reader's defect costs one file, never the run
                results[index] = FileResult(path=display, error=f"cannot read: {type(error).__name__}: {error}")
        if results[index] is not None:
            if progress:
                progress(1)
            continue
        batch_words += len(source.split())
        if batch_words >= BATCH_WORDS or len(batch) >= BATCH_FILES:
            flush()
    flush()
    return results


def _check(pipeline: Pipeline, docs: list) -> list[FileResult]:
    """The pipeline's results for `docs`; when the group fails, each document is checked
    alone, so a detector's defect on one document costs that document only."""
    try:
        return pipeline.check(docs)
    except Exception:
        return [_check_one(pipeline, doc) for doc in docs]


def _check_one(pipeline: Pipeline, doc) -> FileResult:
    try:
        return pipeline.check([doc])[0]
    except Exception as error:
        return FileResult(path=doc.path, error=f"cannot check: {type(error).__name__}: {error}")
