"""The `unspin` command line: it parses options and wires readers, pipeline and reporters."""

from __future__ import annotations

import functools
import json
import os
import sys
from pathlib import Path

import click

from detector import __version__
from detector.config import FAIL_ON_CHOICES, LM_SUGGESTION_CHOICES, ConfigError, find_config, load_config
from detector.findings import severity_rank
from detector.reporters import FORMATS

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _fail(message: str) -> None:
    click.echo(f"unspin: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _config(config_file: str | None, paths: tuple[str, ...], overrides: dict):
    """Load the config: --config, else the nearest one above the first path (or the cwd)."""
    if config_file:
        path = Path(config_file)
        if not path.is_file():
            _fail(f"{config_file}: config file not found")
    else:
        first = next((p for p in paths if p != "-"), ".")
        path = find_config(Path(os.path.abspath(first)))
    try:
        return load_config(path, overrides)
    except ConfigError as error:
        _fail(str(error))


class _NoProgress:
    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        return None

    def update(self, files: int = 1) -> None:
        return None


def _progress_bar(total: int, quiet: bool):
    """A progress bar on stderr for long runs; silent when stderr is not a terminal or with
    --quiet (then tqdm is not even imported: a single-file check starts sooner)."""
    if quiet or total < 20 or not sys.stderr.isatty():
        return _NoProgress()
    from tqdm import tqdm

    return tqdm(total=total, unit="file", file=sys.stderr, leave=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="unspin")
def main():
    """Find machine-spun phrasing in articles and suggest the canonical terms."""


shared_options = [
    click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Config file (default: nearest unspin.toml or pyproject.toml [tool.unspin])."),
    click.option("--table", "tables", multiple=True, type=click.Path(dir_okay=False), help="Extra mapping table (.tsv, Vale .yml, PPS .csv); repeatable."),
    click.option("--threshold", type=float, help="Minimum score for a spun-phrase finding (0..1)."),
    click.option("--lm-suggestions", type=click.Choice(LM_SUGGESTION_CHOICES), help="Rank suggestions with the optional SmolLM2 model (default auto: when installed)."),
    click.option("--fast", "mode", flag_value="fast", default=None, help="Skip the language model's reading: tables, tagger and quality rules only (about 100x faster, a third of the recall)."),
    click.option("--full", "mode", flag_value="full", help="The language model reads every article (the default; an error if it is not installed)."),
    click.option("--channel/--no-channel", "channel", default=None, hidden=True, help="The old names of --full and --fast."),
    click.option("--select", multiple=True, help="Report only these rules: codes or prefixes (SPUN001, QUAL), comma-separated or repeated."),
    click.option("--ignore", multiple=True, help="Do not report these rules (codes or prefixes); added to config's disable."),
    click.option("--no-model", is_flag=True, help="Use the mapping tables and quality rules only (no classifier, no language model, no torch)."),
]
# what only commands that read files take (not `serve`)
file_options = [
    click.option("--include", multiple=True, help="Also check files in folders matching this glob; repeatable."),
    click.option("--exclude", multiple=True, help="Skip files and folders matching this glob; repeatable."),
    click.option("--encoding", help="Decode files with this encoding (default utf-8; never guessed)."),
    click.option("--max-bytes", type=int, help="Skip files larger than this (default 5,000,000)."),
]


SHARED = ("config_file", "tables", "threshold", "include", "exclude", "encoding", "max_bytes", "lm_suggestions", "mode", "channel", "select", "ignore", "no_model")


def with_shared_options(command=None, *, files: bool = True):
    """Add the options of every checking command (and, with `files`, those of commands
    that read files); the command receives them as one dict, `shared`, for
    `_shared_config`, with an option it does not take left empty."""

    def wrap(command):
        @functools.wraps(command)
        def run(**options):
            return command(shared={name: options.pop(name, () if name in ("include", "exclude") else None) for name in SHARED}, **options)

        for option in reversed(shared_options + (file_options if files else [])):
            run = option(run)
        return run

    return wrap if command is None else wrap(command)


def _shared_config(shared: dict, paths: tuple[str, ...], **more):
    """The config for a checking command: its file, then the shared options and `more`."""
    values = {name: shared[name] for name in SHARED if name not in ("config_file", "ignore", "no_model", "channel")}
    if values["mode"] is None and shared["channel"] is not None:
        values["mode"] = "full" if shared["channel"] else "fast"
    values.update(disable=shared["ignore"], model=False if shared["no_model"] else None, **more)
    return _config(shared["config_file"], paths, {name: value for name, value in values.items() if value not in (None, ())})


def _terminal() -> bool:
    return sys.stdout.isatty()


def _coloured(choice: str) -> bool:
    """Whether output is coloured under --color `choice` (auto: on a terminal, unless NO_COLOR)."""
    return choice == "always" or (choice == "auto" and _terminal() and not os.environ.get("NO_COLOR"))


@main.command()
@click.argument("paths", nargs=-1, required=True)
@with_shared_options
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True, help="Output format.")
@click.option("--fail-on", type=click.Choice(FAIL_ON_CHOICES), help="Exit 1 when a finding is at or above this severity (default error).")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings (errors still exit 2).")
@click.option("--stdin-filename", help="Name (and so format) for text read from '-'.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True, help="Colour text output; auto: on a terminal unless NO_COLOR is set.")
@click.option("--no-cache", is_flag=True, help="Check every file again instead of reusing cached results.")
@click.option("-j", "--jobs", type=click.IntRange(1), default=1, show_default=True, help="Worker processes (each loads its own model).")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False), help="Leave out the findings recorded in this file (by --write-baseline): only new ones count.")
@click.option("--write-baseline", "new_baseline", type=click.Path(dir_okay=False), help="Record the current findings in this file, print nothing else, exit 0.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
def check(shared, paths, fmt, fail_on, exit_zero, stdin_filename, color, no_cache, jobs, baseline_file, new_baseline, quiet):
    """Check files, folders (recursively) or '-' for stdin."""
    from detector.api import check_job
    from detector.wiring import build_pipeline
    from detector.files import discover
    from detector.reporters import Report, render

    config = _shared_config(shared, paths, fail_on=fail_on)
    baseline = None
    if baseline_file:
        from detector.baseline import Baseline, BaselineError

        try:
            baseline = Baseline(Path(baseline_file))
        except BaselineError as error:
            _fail(str(error))
    pipeline, setup_errors = build_pipeline(config)
    for message in setup_errors:
        click.echo(f"unspin: error: {message}", err=True)
    targets = discover(list(paths), config.extensions, config.include, config.exclude)
    # the reports and baselines that read the text itself
    sources = {} if fmt in ("text", "html") or baseline or new_baseline else None
    with _progress_bar(len(targets), quiet) as bar:
        results = check_job(config, targets, pipeline, jobs, not no_cache, stdin_filename, bar.update, sources)
    if new_baseline:
        from detector.baseline import write_baseline

        for result in results:
            if result.error:
                click.echo(f"{result.path}: error: {result.error}", err=True)
        try:
            count = write_baseline(Path(new_baseline), results, sources)
        except OSError as error:
            _fail(f"{new_baseline}: cannot write: {error.strerror or error}")
        click.echo(f"unspin: recorded {count} finding{'s' if count != 1 else ''} in {new_baseline}", err=True)
        sys.exit(EXIT_ERROR if setup_errors or any(r.error for r in results) else EXIT_CLEAN)
    baselined = baseline.drop_known(results, sources) if baseline else 0
    color = _coloured(color)
    click.echo(render(fmt, Report(results, color=color, tool_version=__version__, sources=sources or {}, baselined=baselined)), nl=False, color=color)
    if fmt not in ("text", "concise"):
        for result in results:
            if result.error:
                click.echo(f"{result.path}: error: {result.error}", err=True)
    if setup_errors or any(r.error for r in results):
        sys.exit(EXIT_ERROR)
    if not exit_zero and config.fail_on != "never":
        bar = severity_rank(config.fail_on)
        if any(severity_rank(f.severity) >= bar for r in results for f in r.findings):
            sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_CLEAN)


@main.command()
@click.argument("inputs", nargs=-1, required=True)
@click.option("--output", required=True, type=click.Path(file_okay=False), help="Folder for the Parquet rows (one per article) and _summary.json; a rerun skips articles already there.")
@with_shared_options
@click.option("--workers", type=click.IntRange(1), default=1, show_default=True, help="Checking actors (each loads the model once and takes one core).")
@click.option("--address", help="Address of a running Ray cluster (default: start a local one).")
@click.option("--id-field", default="id", show_default=True, help="Record field holding the article id (JSONL, Parquet).")
@click.option("--text-field", default="text", show_default=True, help="Record field holding the article text.")
@click.option("--format-field", help="Record field holding the format: text, markdown or html (default: text).")
@click.option("--screen", type=click.FloatRange(0, 1), help="Read with the language model only the articles the span tagger scores at least this; the others keep the tagger's findings (faster; misses most spun articles the tagger does not see: README).")
@click.option("--overwrite", is_flag=True, help="Write into an output folder that holds other files (they are left alone: batch reads and removes only its own unspin-rows-*.parquet).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars.")
@click.option("-v", "--verbose", is_flag=True, help="Show Ray's own logs and warnings too.")
def batch(shared, inputs, output, workers, address, id_field, text_field, format_field, screen, overwrite, quiet, verbose):
    """Check an archive on Ray: JSONL and Parquet files of articles, folders, files."""
    try:
        from detector.batch import BatchError, Fields, run_batch
    except ImportError as error:
        _fail(f"unspin batch needs Ray (pip install -e '.[batch]'): {error}")
    config = _shared_config(shared, inputs)
    try:
        summary = run_batch(list(inputs), Path(output), config, Fields(id_field, text_field, format_field), workers, address, progress=not quiet, overwrite=overwrite, screen=screen, verbose=verbose)
    except BatchError as error:
        _fail(str(error))
    click.echo(
        f"{summary['articles']} articles ({summary['skipped']} from earlier runs), {summary['words']} words, "
        f"{summary['findings']} findings in {summary['articles_with_findings']} articles, {summary['errors']} errors → {output}"
    )
    for line in summary["first_errors"]:
        click.echo(f"{line}", err=True)
    sys.exit(EXIT_ERROR if summary["errors"] else EXIT_CLEAN)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind; one other than loopback also needs --allow-remote.")
@click.option("--port", type=click.IntRange(0, 65535), default=8081, show_default=True, help="Port (8081 is LanguageTool's own default).")
@click.option("--allow-remote", is_flag=True, help="Allow a --host other than loopback (anyone who reaches it can send text to check).")
@with_shared_options(files=False)
@click.option("--workers", type=click.IntRange(1), default=2, show_default=True, help="Pipelines (each with its model) checking requests side by side.")
@click.option("--queue", "queue_size", type=click.IntRange(0), default=8, show_default=True, help="Requests that may wait for a pipeline; past them 503 with Retry-After.")
@click.option("--max-body", type=click.IntRange(1), default=1_000_000, show_default=True, help="Largest request body in bytes (larger: 413).")
@click.option("--timeout", type=click.FloatRange(0.1), default=60.0, show_default=True, help="Seconds a check may take (longer: 504).")
@click.option("--cors-origin", "origins", multiple=True, help="Origin allowed to call the API from a browser page elsewhere; repeatable.")
def serve(shared, host, port, allow_remote, workers, queue_size, max_body, timeout, origins):
    """Serve the web page, unspin's JSON API and a LanguageTool-compatible API."""
    import ipaddress

    try:
        import uvicorn

        from detector.server.app import Limits, create_app
    except ImportError as error:
        _fail(f"unspin serve needs its extra (pip install -e '.[serve]'): {error}")
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback and not allow_remote:
        _fail(f"--host {host} is not a loopback address; add --allow-remote to serve other machines")
    if not loopback:
        click.echo(f"unspin: warning: serving {host}: anyone who reaches this port can have text checked", err=True)
    config = _shared_config(shared, ())
    try:
        app = create_app(config, Limits(max_body, timeout, workers, queue_size, list(origins)))
    except RuntimeError as error:
        _fail(str(error))
    click.echo(f"unspin serve: http://{host}:{port}/ (LanguageTool API at /v2/check, unspin's at /api/check)", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")


@main.command("rules")
def list_rules():
    """List the rules: code, name, severity, fix safety and summary."""
    from detector.rules import all_rules

    for rule in all_rules():
        fix = "safe fix" if rule.safe_fix else "unsafe fix"
        click.echo(f"{rule.code}  {rule.name:<20} {rule.severity:<8} {fix:<11} {rule.summary}")


@main.command("rule")
@click.argument("code")
def explain_rule(code):
    """Explain one rule (e.g. unspin rule SPUN001): what, why, fix safety and an example."""
    from detector.config import Config
    from detector.rules import SPUN_PHRASE, details, find_rule
    from detector.wiring import default_threshold

    rule = find_rule(code)
    if rule is None:
        _fail(f"unknown rule code '{code}' (unspin rules lists them)")
    text = f"{rule.code} {rule.name} [{rule.severity}; {'safe' if rule.safe_fix else 'unsafe'} fix]\n\n{rule.summary}\n\n{details(rule)}"
    if rule is SPUN_PHRASE:
        value, whose = default_threshold(Config())
        text += f"\n\nDefault threshold here: {value} ({whose}); --threshold or `threshold` in the config moves it."
    click.echo(text)


@main.command("config")
@click.argument("path", default=".")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Config file to show instead of the nearest one.")
def show_config(path, config_file):
    """Print the effective configuration for PATH and where each value comes from."""
    from detector.wiring import default_threshold

    config = _config(config_file, (path,), {})
    for name, value in config.items():
        origin = config.origin_of(name)
        if name == "threshold" and value is None:
            value, whose = default_threshold(config)
            origin += f": {whose}"
        shown = json.dumps(value) if isinstance(value, (bool, str, list)) else value
        click.echo(f"{name.replace('_', '-')} = {shown}    # {origin}")


def _ask(question: str) -> str:
    """One key from the terminal for a `fix --interactive` question ("?" explains them)."""
    from detector.fix import ANSWERS

    while True:
        click.echo(question, nl=False)
        key = click.getchar().lower()
        click.echo(key)
        if key in ANSWERS:
            return key
        for letter, meaning in ANSWERS.items():
            click.echo(f"  {letter}: {meaning}")


@main.command()
@click.argument("paths", nargs=-1, required=True)
@with_shared_options
@click.option("--diff", is_flag=True, help="Print a unified diff and change nothing (the default).")
@click.option("--in-place", is_flag=True, help="Rewrite the files (atomically); never read-only files or symlinks.")
@click.option("--stdout", is_flag=True, help="Print the fixed text.")
@click.option("--interactive", is_flag=True, help="Ask about each fix (y: apply, n: skip, a: apply the rest, q: skip the rest), then rewrite the files like --in-place.")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply guesses (model and searched suggestions) of findings scoring at least --min-score.")
@click.option("--min-score", type=click.FloatRange(0, 1), default=0.5, show_default=True, help="With --unsafe-fixes: apply guesses of findings scoring at least this.")
@click.option("--follow-symlinks", is_flag=True, help="With --in-place: fix a symlink's target instead of refusing it.")
@click.option("--stdin-filename", help="Name (and so format) for text read from '-'.")
@click.option("--no-cache", is_flag=True, help="Check every file again instead of reusing cached results.")
@click.option("-j", "--jobs", type=click.IntRange(1), default=1, show_default=True, help="Worker processes (each loads its own model).")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True, help="Colour the diff, changed words marked; auto: on a terminal unless NO_COLOR is set.")
def fix(shared, paths, diff, in_place, stdout, interactive, unsafe_fixes, min_score, follow_symlinks, stdin_filename, no_cache, jobs, color):
    """Apply safe fixes (listed table entries, certain repairs); --diff shows (default), --in-place writes, --stdout prints, --interactive asks."""
    from detector.api import plan_fix_targets
    from detector.wiring import build_pipeline
    from detector.files import STDIN, discover
    from detector.fix import FixError, Review, Writer, coloured_diff, unified_diff

    config = _shared_config(shared, paths)
    chosen = [name for name, on in (("--diff", diff), ("--in-place", in_place), ("--stdout", stdout), ("--interactive", interactive)) if on]
    if len(chosen) > 1:
        raise click.UsageError(f"{' and '.join(chosen)} cannot be combined: choose one")
    mode = {"--in-place": "in-place", "--stdout": "stdout", "--interactive": "interactive"}.get(chosen[0] if chosen else "", "diff")
    writes = mode in ("in-place", "interactive")
    if follow_symlinks and not writes:
        raise click.UsageError("--follow-symlinks needs --in-place or --interactive")
    if writes and STDIN in paths:
        raise click.UsageError(f"{chosen[0]} cannot rewrite stdin; use --stdout")
    if mode == "interactive" and not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise click.UsageError("--interactive needs a terminal; use --diff or --in-place")
    review = Review(_ask) if mode == "interactive" else None
    coloured = _coloured(color)
    pipeline, errors = build_pipeline(config)
    failed = bool(errors)
    for message in errors:
        click.echo(f"unspin: error: {message}", err=True)
    pending = False
    targets = discover(list(paths), config.extensions, config.include, config.exclude)
    writer = Writer(targets, config.encoding, config.max_bytes, follow_symlinks) if writes else None
    plans = plan_fix_targets(config, targets, pipeline, min_score if unsafe_fixes else None, jobs, not no_cache, stdin_filename)
    for number, plan in enumerate(plans):
        if plan.error is not None:
            click.echo(f"{plan.path}: error: {plan.error}", err=True)
            failed = True
            continue
        fixes = review.accepted(plan.path, plan.fixes) if review is not None else plan.fixes
        fixed = plan.fixed(fixes)
        if plan.skipped:
            click.echo(f"{plan.path}: {plan.skipped} fix(es) skipped: markup inside the flagged words", err=True)
        if mode == "stdout":
            if len(plans) > 1:  # as head(1) separates files
                click.echo(f"{'' if number == 0 else chr(10)}==> {plan.path} <==")
            click.echo(fixed, nl=False)
        elif mode == "diff":
            patch = unified_diff(plan.path, plan.source, fixed)
            pending |= bool(patch)
            click.echo(coloured_diff(patch) if coloured else patch, nl=False, color=coloured)
        elif fixed != plan.source:
            try:
                writer.write(plan, fixed)
                click.echo(f"{plan.path}: {len(fixes)} fix(es) applied", err=True)
            except (FixError, OSError) as error:
                click.echo(f"{plan.path}: error: {error}", err=True)
                failed = True
    sys.exit(EXIT_ERROR if failed else EXIT_FINDINGS if pending else EXIT_CLEAN)
