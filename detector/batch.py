"""`unspin batch`: archives of articles checked on Ray Data, written as Parquet.

Articles come from JSON-lines and Parquet files (one article a record) and from folders
and files as `unspin check` reads them. Ray reads them in blocks (never whole), an actor
pool checks them (each actor builds its pipeline, model and tables once) and Ray writes
Parquet files of one row per article. A rerun skips the articles whose rows are already
written: Ray writes each output file in one piece, so a file without a readable footer is
the remnant of an interrupted write and is removed, and its articles are checked again.

The output folder's own files are named ROWS_PREFIX…; nothing else there is read or
removed, and a folder that holds anything else is refused unless the user says so.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import os
import re
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

from detector.config import Config
from detector.files import Target, shown, surrogate_at

ARCHIVE_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".jsonl.gz": "jsonl", ".parquet": "parquet"}
FORMATS = {"text": "text", "txt": "text", "markdown": "markdown", "md": "markdown", "html": "html", "htm": "html"}
BATCH_ARTICLES = 32
# Reading, record checks and writing take little CPU; they run beside the checking actors
# (one core each) in a fraction of a core, which a local cluster adds one core for.
LIGHT = {"num_cpus": 0.25}
# pyarrow and Ray skip names starting with "_" when they read the folder as a dataset.
SUMMARY = "_summary.json"
FIRST_ERRORS = 10
ROWS_PREFIX = "unspin-rows-"
OWN_ROWS = re.compile(re.escape(ROWS_PREFIX) + r"[0-9A-Za-z_-]+\.parquet")
RECORDS_PER_BLOCK = 1000


class BatchError(Exception):
    """A setting or input that stops the whole batch (one line for the user)."""


@dataclass(frozen=True)
class Fields:
    """Which record fields hold an article's id, text and (optionally) format."""

    id: str = "id"
    text: str = "text"
    format: str | None = None


def _schemas():
    import pyarrow as pa

    from detector.findings import REPORTED, Finding, Suggestion

    kinds = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_()}

    def struct(cls, names):  # a dataclass's reported fields as Arrow types, from their annotations
        annotations = {f.name: f.type for f in dataclasses.fields(cls)}
        return pa.struct([(name, kinds[annotations[name]]) for name in names])

    kinds["list[Suggestion]"] = pa.list_(struct(Suggestion, list(Suggestion("", 0.0).to_dict())))
    finding = struct(Finding, REPORTED)
    articles = pa.schema(
        [("id", pa.string()), ("path", pa.string()), ("text", pa.string()), ("format", pa.string()), ("file", pa.string()), ("error", pa.string())]
    )
    rows = pa.schema(
        [("id", pa.string()), ("path", pa.string()), ("score", pa.float64()), ("words", pa.int64()), ("error", pa.string()), ("findings", pa.list_(finding))]
    )
    return articles, rows


def archive_kind(path: str) -> str | None:
    """"jsonl" or "parquet" for an archive file, None for anything else."""
    name = path.lower()
    return next((kind for suffix, kind in ARCHIVE_SUFFIXES.items() if name.endswith(suffix)), None)


def content_id(path: str, text: str | None) -> str:
    """The id of a record that has none: stable across runs, so a rerun still skips it."""
    return "sha1:" + hashlib.sha1(f"{path}\0{text}".encode()).hexdigest()


def article(path: str, record: dict, fields: Fields, where: str = "") -> dict:
    """One record as an article row (id, path, text, format, file, error); `where` names
    its place in the file for error messages ("line 7: ")."""
    text, key, fmt = record.get(fields.text), record.get(fields.id), record.get(fields.format) if fields.format else None
    error = None
    if not isinstance(text, str):
        error = f"record has no text field '{fields.text}'" if text is None else f"field '{fields.text}' is not a string"
        text = None
    if fmt is not None and str(fmt).lower() not in FORMATS:
        error = error or f"unknown format {fmt!r} (one of {', '.join(sorted(set(FORMATS.values())))})"
    if isinstance(text, str) and surrogate_at(text) is not None:
        error = error or f"field '{fields.text}' holds a lone surrogate (not Unicode text)"
        text = None
    if key is None:  # a stable id, so a rerun skips it too
        key = content_id(shown(path or ""), f"{where}{shown(text or '')}")
    return {
        "id": shown(str(key)),
        "path": shown(path) if path is not None else None,
        "text": text,
        "format": FORMATS.get(str(fmt).lower(), "text") if fmt is not None else "text",
        "file": None,
        "error": f"{where}{error}" if error else None,
    }


def own_parts(output: Path) -> list[Path]:
    """The Parquet files `unspin batch` wrote in `output`, in order."""
    return sorted(p for p in output.glob(f"{ROWS_PREFIX}*.parquet") if OWN_ROWS.fullmatch(p.name))


def foreign_entries(output: Path) -> list[str]:
    """What `output` holds that `unspin batch` did not write."""
    own = {p.name for p in own_parts(output)} | {SUMMARY}
    return sorted(entry.name for entry in output.iterdir() if entry.name not in own) if output.is_dir() else []


def _unwritten(rows: list[dict], done):
    """`rows` as an articles table, less those already in the output."""
    import pyarrow as pa
    import pyarrow.compute as pc

    articles, _ = _schemas()
    table = pa.Table.from_pylist(rows, schema=articles)
    if len(done):
        table = table.filter(pc.invert(pc.is_in(table.column("id"), value_set=done)))
    return table


def normalise(batch, fields: Fields, done):
    """Parquet records → article rows, less those already in the output."""
    return _unwritten([article(record.pop("path", None), record, fields) for record in batch.to_pylist()], done)


def json_lines_source(paths: list[str], fields: Fields, done):
    """A Ray datasource reading JSON-lines files a megabyte at a time; a line that is not a
    JSON object becomes an error row, not the end of the batch."""
    import json as json_module

    from ray.data.datasource import FileBasedDatasource

    class JsonLines(FileBasedDatasource):
        def _read_stream(self, f, path: str):
            rows = []
            for number, line in enumerate(_lines(f), 1):
                if not line.strip():
                    continue
                try:
                    record = json_module.loads(line)
                except ValueError as error:
                    record = error
                if not isinstance(record, dict):
                    reason = f"not JSON: {record}" if isinstance(record, ValueError) else "not a JSON object"
                    rows.append(article(path, {}, fields, f"line {number}: ") | {"id": content_id(path, f"line {number}"), "error": f"line {number}: {reason}"})
                else:
                    rows.append(article(path, record, fields, f"line {number}: "))
                if len(rows) >= RECORDS_PER_BLOCK:
                    yield _unwritten(rows, done)
                    rows = []
            if rows:
                yield _unwritten(rows, done)

    return JsonLines(paths, file_extensions=None)


def _lines(f):
    rest = b""
    while chunk := f.read(1 << 20):
        *lines, rest = (rest + chunk).split(b"\n")
        for line in lines:
            yield line.decode("utf-8", errors="replace")
    if rest:
        yield rest.decode("utf-8", errors="replace")


class Checker:
    """One actor: a pipeline built once, then batches of articles → result rows."""

    def __init__(self, config: Config, threads: int, screen: float | None = None):
        from detector.wiring import build_pipeline

        if config.mode == "full":
            import torch

            torch.set_num_threads(threads)  # the language model's share of the actor's core
        self.pipeline, errors = build_pipeline(config, threads, screen=screen)
        if errors:  # the driver has checked the tables, so this is the model failing to load
            raise RuntimeError("; ".join(errors))
        self.config = config

    def __call__(self, batch):
        import pyarrow as pa

        from detector.checking import check_targets

        _, schema = _schemas()
        records = batch.to_pylist()
        targets = [
            Target(
                article["path"] or article["id"],
                Path(article["file"]) if article["file"] is not None else None,
                error=article["error"],
                text=article["text"] if article["file"] is None else None,
                format=article["format"] if article["file"] is None else None,
            )
            for article in records
        ]
        rows = []
        for article, result in zip(records, check_targets(self.pipeline, targets)):
            data = result.to_dict()
            rows.append({"id": article["id"], "path": data["path"], "score": data["score"], "words": data["words"], "error": data["error"], "findings": data["findings"]})
        return pa.Table.from_pylist(rows, schema=schema)


def written_ids(output: Path):
    """The ids already in `output`'s own Parquet files; remnants of interrupted writes
    (its own files without a readable footer) are removed."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    ids = []
    for part in own_parts(output):
        try:
            ids.append(pq.read_table(part, columns=["id"]).column("id"))
        except (pa.ArrowInvalid, KeyError, OSError):
            part.unlink()
    return pa.chunked_array(ids, type=pa.string()).combine_chunks() if ids else pa.array([], type=pa.string())


def articles_dataset(inputs: list[str], fields: Fields, config: Config, done):
    """One Ray dataset of articles from archive files, folders and files."""
    import pyarrow as pa
    import ray.data

    from detector.files import discover

    jsonl, parquet, others = [], [], []
    for name in inputs:
        if not Path(name).exists():
            raise BatchError(f"{name}: no such file or directory")
        {"jsonl": jsonl, "parquet": parquet, None: others}[archive_kind(name) if Path(name).is_file() else None].append(name)
    parts = []
    if jsonl:
        parts.append(ray.data.read_datasource(json_lines_source(jsonl, fields, done), **LIGHT))
    if parquet:
        import pyarrow.parquet as pq

        wanted = {fields.id, fields.text, fields.format}
        present = {name for path in parquet for name in pq.read_schema(path).names}
        records = ray.data.read_parquet(parquet, include_paths=True, file_extensions=None, **LIGHT)
        records = records.select_columns(sorted(wanted & present) + ["path"])
        parts.append(records.map_batches(normalise, batch_format="pyarrow", fn_args=(fields, done), **LIGHT))
    if others:
        targets = discover(others, config.extensions, config.include, config.exclude)
        articles, _ = _schemas()
        skip = set(done.to_pylist())
        items = [
            {"id": t.display, "path": t.display, "text": None, "format": None, "file": str(t.path) if t.path else None, "error": t.error}
            for t in targets
            if t.display not in skip
        ]
        if items:
            parts.append(ray.data.from_arrow(pa.Table.from_pylist(items, schema=articles)))
    if not parts:
        return None
    dataset = parts[0]
    return dataset.union(*parts[1:]) if len(parts) > 1 else dataset


def summarise(output: Path) -> dict:
    """Totals over every row in `output` (this run's and earlier runs')."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    parts = own_parts(output)
    if not parts:
        return {"articles": 0, "words": 0, "errors": 0, "findings": 0, "articles_with_findings": 0, "by_rule": {}, "first_errors": []}
    table = pa.concat_tables(pq.read_table(part, columns=["id", "path", "words", "error", "findings"]) for part in parts)
    counts = pc.list_value_length(table.column("findings")).fill_null(0)
    rules = pc.list_flatten(table.column("findings")).combine_chunks()
    by_rule = {}
    if len(rules):
        for entry in pc.value_counts(rules.field("rule")).to_pylist():
            by_rule[entry["values"]] = entry["counts"]
    return {
        "articles": table.num_rows,
        "words": int(pc.sum(table.column("words")).as_py() or 0),
        "errors": table.num_rows - table.column("error").null_count,
        "findings": int(pc.sum(counts).as_py() or 0),
        "articles_with_findings": int(pc.sum(pc.greater(counts, 0)).as_py() or 0),
        "by_rule": dict(sorted(by_rule.items())),
        "first_errors": [
            f"{row['path']} ({row['id']}): {row['error']}"
            for row in table.filter(pc.is_valid(table.column("error"))).slice(0, FIRST_ERRORS).select(["id", "path", "error"]).to_pylist()
        ],
    }


REAPER = """
import os, signal, sys, time
session, driver = os.path.basename(sys.argv[1].rstrip("/")), int(sys.argv[2])
sys.stdin.buffer.read()  # returns when the driver closes its end or dies
time.sleep(1)  # what Ray ends itself, it ends in this time
def of_session(pid):
    # Ray's agents rename themselves ("ray::DashboardAgent"), but keep their logs open there
    with open(f"/proc/{pid}/cmdline", "rb") as handle:
        if session.encode() in handle.read():
            return True
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if session in os.readlink(f"/proc/{pid}/fd/{fd}"):
                return True
        except OSError:
            pass
    return False
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        if int(pid) not in (os.getpid(), driver) and of_session(pid):
            os.kill(int(pid), signal.SIGKILL)
    except (OSError, ValueError):
        pass
"""


def _reaper(session_dir: str):
    """A process that outlives the driver to end the local cluster's processes that Ray
    leaves behind (its agents outlive a driver killed with SIGKILL): it waits for the
    driver's end of a pipe to close, then kills every process naming the session or
    holding its files, but the driver (which holds its logs until it exits)."""
    import subprocess
    import sys

    return subprocess.Popen([sys.executable, "-c", REAPER, session_dir, str(os.getpid())], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def _own_names():
    """Ray's file names for this run's rows, prefixed so later runs know them as their own."""
    from ray.data.datasource import FilenameProvider

    class OwnNames(FilenameProvider):
        def get_filename_for_task(self, write_uuid: str, task_index: int) -> str:
            return f"{ROWS_PREFIX}{write_uuid}-{task_index:06}.parquet"

    return OwnNames()


def _reason(error: BaseException) -> str:
    """The first line of the innermost cause under Ray's wrappers."""
    seen = set()
    while id(error) not in seen:
        seen.add(id(error))
        inner = getattr(error, "cause", None) or error.__cause__
        if not isinstance(inner, BaseException):
            break
        error = inner
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__


def _check_dataset(dataset, output: Path, config: Config, workers: int, screen: float | None) -> None:
    """Check the articles of `dataset` on an actor pool and write their rows to `output`."""
    import ray.data

    if dataset is None:
        return
    checked = dataset.map_batches(
        Checker,
        batch_format="pyarrow",
        batch_size=BATCH_ARTICLES,
        compute=ray.data.ActorPoolStrategy(size=workers),
        num_cpus=1,
        fn_constructor_args=(config, 1, screen),
    )
    try:
        checked.write_parquet(str(output), filename_provider=_own_names(), ray_remote_args=LIGHT)
    except Exception as error:  # Ray wraps a reader's or actor's failure in pages of trace
        raise BatchError(f"batch stopped: {_reason(error)}") from error


# What Ray's core logs for every actor Ray Data starts (ray-project/ray#53727): Ray Data
# puts its map function in the object store itself, so nothing here can avoid it, and
# max_restarts=0 would silence it only by giving up restarting a crashed actor.
RAY_ACTOR_NOTICE = b"has constructor arguments in the object store"


@contextlib.contextmanager
def _without_ray_notice():
    """Drop RAY_ACTOR_NOTICE lines from what Ray's C++ core writes to standard error (its
    file descriptor 2, which Python's logging cannot reach); everything else written there
    passes through, and Python's own stderr (progress bars) goes straight to the terminal."""
    import threading

    try:
        saved = os.dup(2)
    except OSError:  # no standard error at all: nothing to filter
        yield
        return
    if sys.stderr is not None:
        sys.stderr.flush()
    read_end, write_end = os.pipe()
    os.dup2(write_end, 2)
    os.close(write_end)
    python_stderr = sys.stderr
    sys.stderr = open(os.dup(saved), "w", encoding=getattr(python_stderr, "encoding", None) or "utf-8", errors="backslashreplace", buffering=1)

    def forward():
        with open(read_end, "rb", buffering=0) as pipe:
            rest = b""
            while chunk := pipe.read(65536):
                *lines, rest = (rest + chunk).split(b"\n")
                kept = b"".join(line + b"\n" for line in lines if RAY_ACTOR_NOTICE not in line)
                if kept:
                    os.write(saved, kept)
            if rest and RAY_ACTOR_NOTICE not in rest:
                os.write(saved, rest)

    reader = threading.Thread(target=forward, daemon=True)
    reader.start()
    try:
        yield
    finally:
        sys.stderr.close()
        sys.stderr = python_stderr
        os.dup2(saved, 2)  # closes the pipe's last write end: the reader drains and ends
        reader.join(timeout=5)
        os.close(saved)


def run_batch(
    inputs: list[str],
    output: Path,
    config: Config,
    fields: Fields = Fields(),
    workers: int = 1,
    address: str | None = None,
    progress: bool = True,
    overwrite: bool = False,
    screen: float | None = None,
    verbose: bool = False,
) -> dict:
    """Check every article of `inputs` not yet in `output`; the summary of `output`. An
    output folder holding files it did not write is refused unless `overwrite` (they are
    left alone either way). `screen`: the language model reads only the articles the
    span tagger scores at least this (Pipeline). Ray's own logs and warnings are shown
    only when `verbose`."""
    from detector.wiring import load_tables

    _, errors = load_tables(config)
    if errors:
        raise BatchError("; ".join(errors))
    if output.exists() and not output.is_dir():
        raise BatchError(f"{output}: not a folder")
    foreign = foreign_entries(output)
    if foreign and not overwrite:
        shown_names = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise BatchError(f"{output}: holds files unspin batch did not write ({shown_names}); choose another folder, or pass --overwrite to write beside them (they are left alone)")
    output.mkdir(parents=True, exist_ok=True)
    done = written_ids(output)
    with contextlib.nullcontext() if verbose else _without_ray_notice():
        return _run(inputs, output, config, fields, workers, address, progress, screen, verbose, done)


def _run(inputs, output, config, fields, workers, address, progress, screen, verbose, done) -> dict:
    """run_batch's work once its inputs are checked: start Ray (unless running), check, summarise."""
    import ray
    import ray.data

    from detector import atomic

    started_here = not ray.is_initialized()
    reaper = None
    if started_here:
        started = ray.init(
            address=address,
            num_cpus=None if address else workers + 1,
            include_dashboard=False,
            log_to_driver=verbose,
            logging_level="INFO" if verbose else "ERROR",
        )
        if address is None:
            reaper = _reaper(started.address_info["session_dir"])
    try:
        context = ray.data.DataContext.get_current()
        context.enable_progress_bars = progress
        # On a terminal, Ray Data's rich bars; its tqdm ones draw nothing in the driver
        # (they go through worker logs, which log_to_driver=False drops). Elsewhere Ray
        # logs progress instead, at INFO, which stays hidden unless verbose.
        context.enable_rich_progress_bars = progress
        context.use_ray_tqdm = False
        # A failure is reported once, as one line; Ray would log its trace as well.
        logging.getLogger("ray.data").setLevel(logging.INFO if verbose else logging.WARNING if progress else logging.CRITICAL)
        context.print_on_execution_start = verbose
        with warnings.catch_warnings():
            if not verbose:
                # a rerun with nothing left to check starts no actor, which Ray warns of
                warnings.filterwarnings("ignore", message="The minimum number of concurrent actors", category=UserWarning)
            _check_dataset(articles_dataset(inputs, fields, config, done), output, config, workers, screen)
    finally:
        if started_here:
            ray.shutdown()
        if reaper is not None:
            reaper.stdin.close()  # the reaper ends what shutdown left, then itself
            reaper.wait(timeout=60)
    summary = {**summarise(output), "skipped": len(done)}
    atomic.write_text(output / SUMMARY, json.dumps(summary, indent=2) + "\n")
    return summary
