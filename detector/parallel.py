"""`--jobs N`: files checked by N worker processes, each with its own pipeline (and model).

Workers are spawned, not forked, so no thread pool is copied mid-use; each worker's model
takes its share of the cores. Files go out in small chunks and come back in their
original order, each with the text the worker checked when asked for (a report or a fix
must read the very text the findings point into, not the file read again).
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from detector.config import Config
from detector.files import Target
from detector.pipeline import FileResult

CHUNK_FILES = 8
_worker = {}


def _start_worker(config: Config, use_cache: bool, threads: int) -> None:
    from detector.wiring import build_pipeline
    from detector.cache import ResultCache, default_cache_dir

    pipeline, _ = build_pipeline(config, threads)
    _worker["pipeline"] = pipeline
    _worker["cache"] = ResultCache(default_cache_dir(), pipeline.fingerprint) if use_cache else None


def _check_chunk(chunk: list[Target], keep_sources: bool) -> list[tuple[dict, str | None]]:
    from detector.checking import check_targets

    sources: dict[str, str] | None = {} if keep_sources else None
    results = check_targets(_worker["pipeline"], chunk, cache=_worker["cache"], sources=sources)
    return [(r.to_record(), sources.get(r.path) if sources is not None else None) for r in results]


def check_parallel(
    config: Config, targets: list[Target], jobs: int, use_cache: bool, progress=None, sources: dict[str, str] | None = None
) -> list[FileResult]:
    """Results for file targets in their order; when `sources` is given, each decoded
    text is kept there by its displayed path, as `check_targets` keeps it."""
    from detector.model.runtime import available_cores

    threads = max(1, available_cores() // jobs)
    chunks = [targets[i : i + CHUNK_FILES] for i in range(0, len(targets), CHUNK_FILES)]
    results: list[FileResult] = []
    with ProcessPoolExecutor(jobs, mp_context=get_context("spawn"), initializer=_start_worker, initargs=(config, use_cache, threads)) as pool:
        for done in pool.map(_check_chunk, chunks, [sources is not None] * len(chunks)):
            for record, source in done:
                results.append(FileResult.from_dict(record))
                if sources is not None and source is not None:
                    sources[record["path"]] = source
            if progress:
                progress(len(done))
    return results
