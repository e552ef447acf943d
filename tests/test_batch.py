"""`unspin batch` on a real local Ray cluster: rows equal `unspin check`, reruns resume."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ray = pytest.importorskip("ray")
pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

from detector.wiring import build_pipeline  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from detector.batch import FORMATS, BatchError, Fields, _unwritten, run_batch  # noqa: E402
from detector.batch import article as article_row  # noqa: E402
from detector.config import Config  # noqa: E402
from detector.readers import read_document  # noqa: E402

SPUN = ["unfamiliar clergyman", "squeeze meeting", "counterfeit consciousness", "polite war", "intrigue rate"]
CLEAN = [
    "The council met on Tuesday to discuss the budget.",
    "Shares rose after the company reported higher profits.",
    "The team won its third match of the season.",
    "Officials said the new road would open next spring.",
    "Prices of fuel fell for the second month in a row.",
]


def article(rng: random.Random, index: int) -> str:
    sentences = rng.sample(CLEAN, 3)
    if index % 3 == 0:
        sentences.insert(1, f"The {rng.choice(SPUN)} was mentioned by reporters.")
    if index % 7 == 0:
        sentences.append("The the report was late.")
    return " ".join(sentences)


def write_jsonl(path: Path, count: int, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    records = [{"id": f"art-{i}", "text": article(rng, i)} for i in range(count)]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return records


def rows(output: Path, cut_off_too: bool = False) -> list[dict]:
    """Every row of `output`; with `cut_off_too`, files a kill left half-written (which a
    rerun removes and redoes) are passed over instead of failing the read."""
    found = []
    for part in sorted(output.glob("*.parquet")):
        try:
            found += pq.read_table(part).to_pylist()
        except (pa.ArrowInvalid, OSError):  # what batch.written_ids removes
            if not cut_off_too:
                raise
    return found


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """One local Ray cluster for the module: two checking actors and room for the readers."""
    os.environ["UNSPIN_CACHE_DIR"] = str(tmp_path_factory.mktemp("ray-cache"))
    ray.init(num_cpus=3, include_dashboard=False, log_to_driver=False, logging_level="ERROR")
    yield
    ray.shutdown()


def checker(config: Config):
    """What `unspin check` finds in one text, as the rows hold it."""
    pipeline, errors = build_pipeline(config)
    assert not errors

    def findings(path: str, text: str, fmt: str = "text") -> list[dict]:
        return [f.to_dict() for f in pipeline.check([read_document(path, text, fmt)])[0].findings]

    return findings


def actor_pids() -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if b"MapWorker(MapBatches(Checker))" in (entry / "cmdline").read_bytes():
                    found.add(int(entry.name))
            except OSError:
                continue
    return found


@pytest.mark.shipped_model
def test_rows_equal_check_even_when_an_actor_is_killed(cluster, tmp_path):
    records = write_jsonl(tmp_path / "a.jsonl", 300)
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "page.md").write_text("# News\n\nThe `code` and the squeeze meeting.\n", encoding="utf-8")
    output = tmp_path / "out"
    config = Config(lm_suggestions="off", mode="fast")

    def kill_one_actor():
        # Once the first rows are written, one checking actor dies mid-run; Ray restarts
        # it and retries its batch.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not list(output.glob("*.parquet")):
            time.sleep(0.2)
        pids = actor_pids()
        if pids:
            os.kill(min(pids), signal.SIGKILL)
            killed.append(min(pids))

    killed: list[int] = []
    killer = threading.Thread(target=kill_one_actor)
    killer.start()
    summary = run_batch([str(tmp_path / "a.jsonl"), str(folder)], output, config, workers=2, progress=False)
    killer.join()
    assert killed, "no actor was running to kill"
    got = {row["id"]: row for row in rows(output)}
    assert len(rows(output)) == len(got) == 301
    assert summary["articles"] == 301 and summary["errors"] == 0
    expected = checker(config)
    for record in records:
        assert got[record["id"]]["findings"] == expected(str(tmp_path / "a.jsonl"), record["text"])
    page = got[str(folder / "page.md")]
    assert page["findings"] == expected(str(folder / "page.md"), (folder / "page.md").read_text(), "markdown")
    # the table's phrase; the model may join a neighbouring word it scores near its threshold
    assert any("squeeze meeting" in f["text"] and f["source"] == "table" for f in page["findings"])
    assert sum(bool(row["findings"]) for row in got.values()) >= 100


def test_records_with_missing_fields_become_error_rows_and_reruns_skip_them(cluster, tmp_path):
    archive = tmp_path / "a.jsonl"
    archive.write_text(
        '{"id": 1, "body": "The squeeze meeting ended.", "kind": "md"}\n'
        '{"body": "No id at the squeeze meeting."}\n'
        '{"id": "3", "text": "no body field"}\n'
        '{"id": "4", "body": "A polite war.", "kind": "pdf"}\n',
        encoding="utf-8",
    )
    output = tmp_path / "out"
    config = Config(model=False)
    fields = Fields(id="id", text="body", format="kind")
    summary = run_batch([str(archive)], output, config, fields, workers=1, progress=False)
    got = {row["id"]: row for row in rows(output)}
    assert summary["articles"] == 4 and summary["errors"] == 2
    assert [f["text"] for f in got["1"]["findings"]] == ["squeeze meeting"]
    assert got["3"]["error"] == "line 3: record has no text field 'body'"
    assert got["4"]["error"].startswith("line 4: unknown format 'pdf'")
    (missing,) = [row for key, row in got.items() if key.startswith("sha1:")]
    assert missing["error"] is None and [f["text"] for f in missing["findings"]] == ["squeeze meeting"]  # a stable id, and checked
    again = run_batch([str(archive)], output, config, fields, workers=1, progress=False)
    assert again["skipped"] == 4 and len(rows(output)) == 4


def test_parquet_input_and_a_half_written_output_file(cluster, tmp_path):
    import pyarrow as pa

    texts = [f"Report {i}: the counterfeit consciousness lab opened." if i % 2 else f"Report {i} is clean." for i in range(40)]
    pq.write_table(pa.table({"doc": [f"d{i}" for i in range(40)], "text": texts}), tmp_path / "in.parquet")
    output = tmp_path / "out"
    config = Config(model=False)
    run_batch([str(tmp_path / "in.parquet")], output, config, Fields(id="doc"), workers=1, progress=False)
    first = rows(output)
    assert sorted(r["id"] for r in first) == sorted(f"d{i}" for i in range(40))
    assert sum(bool(r["findings"]) for r in first) == 20
    # A write cut off by a kill leaves a file without a footer: it is removed and its
    # articles checked again, never counted twice.
    (part,) = list(output.glob("*.parquet"))
    part.write_bytes(part.read_bytes()[: part.stat().st_size // 2])
    summary = run_batch([str(tmp_path / "in.parquet")], output, config, Fields(id="doc"), workers=1, progress=False)
    assert summary["skipped"] == 0 and summary["articles"] == 40
    assert sorted(r["id"] for r in rows(output)) == sorted(r["id"] for r in first)


def test_one_bad_record_is_one_error_row_and_the_others_are_checked(cluster, tmp_path):
    archive = tmp_path / "a.jsonl"
    archive.write_text(
        '{"id": "1", "text": "The squeeze meeting ended."}\n'
        '{"id": "2", "text": "A lone \\ud800 surrogate."}\n'
        '{"id": "3", "text": "a\\rThe polite war\\rended.", "format": "md"}\n',
        encoding="utf-8",
    )
    output = tmp_path / "out"
    summary = run_batch([str(archive)], output, Config(model=False), Fields(format="format"), workers=1, progress=False)
    got = {row["id"]: row for row in rows(output)}
    assert summary["articles"] == 3 and summary["errors"] == 1
    assert got["2"]["error"] == "line 2: field 'text' holds a lone surrogate (not Unicode text)"
    assert [f["text"] for f in got["1"]["findings"]] == ["squeeze meeting"]
    assert [f["text"] for f in got["3"]["findings"]] == ["polite war"]  # CR-only Markdown


def test_files_it_did_not_write_are_never_read_or_removed(cluster, tmp_path):
    archive = tmp_path / "a.jsonl"
    archive.write_text('{"id": "1", "text": "The squeeze meeting ended."}\n', encoding="utf-8")
    output = tmp_path / "out"
    output.mkdir()
    pq.write_table(pa.table({"doc": ["x"]}), output / "important.parquet")
    pq.write_table(pa.table({"id": ["1"]}), output / "ids.parquet")
    config = Config(model=False)
    with pytest.raises(BatchError, match="holds files unspin batch did not write \\(ids.parquet, important.parquet\\)"):
        run_batch([str(archive)], output, config, workers=1, progress=False)
    summary = run_batch([str(archive)], output, config, workers=1, progress=False, overwrite=True)
    assert summary["articles"] == 1 and summary["skipped"] == 0  # the other file's ids are not taken for rows
    assert pq.read_table(output / "important.parquet").to_pylist() == [{"doc": "x"}]
    assert pq.read_table(output / "ids.parquet").to_pylist() == [{"id": "1"}]
    again = run_batch([str(archive)], output, config, workers=1, progress=False, overwrite=True)
    assert again["skipped"] == 1 and again["articles"] == 1


RECORD_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=30), lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3), max_leaves=10)


def session_processes(session: str) -> list[str]:
    """Processes that name a Ray session or hold its files open."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
            links = [os.readlink(fd) for fd in (entry / "fd").iterdir()]
        except OSError:
            continue
        if session.encode() in command or any(session in link for link in links):
            found.append(command.replace(b"\0", b" ").decode(errors="replace")[:80])
    return found


def test_a_driver_killed_with_sigkill_leaves_no_ray_process_behind(tmp_path):
    write_jsonl(tmp_path / "a.jsonl", 3000, seed=3)
    command = [sys.executable, "-m", "detector", "batch", str(tmp_path / "a.jsonl"), "--output", str(tmp_path / "out"), "-q", "--fast", "--no-model"]
    run = subprocess.Popen(command, env={**os.environ, "UNSPIN_CACHE_DIR": str(tmp_path / "cache")}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    session = None
    while time.monotonic() < deadline and run.poll() is None:
        named = sorted(Path("/tmp/ray").glob(f"session_*_{run.pid}"))
        if named and any("MapWorker" in p for p in session_processes(named[-1].name)):
            session = named[-1].name
            break
        time.sleep(0.2)
    assert session, "the cluster's actors never started"
    os.kill(run.pid, signal.SIGKILL)  # the driver alone: Ray's agents outlived it before
    run.wait()
    deadline = time.monotonic() + 15  # the reaper takes about a second; left alone, Ray's agents lived on
    while session_processes(session) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert session_processes(session) == []


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["id", "text", "format", "path", "other"]), RECORD_VALUES | st.text().map(lambda t: t + "\ud800"), max_size=5))
def test_any_record_becomes_exactly_one_row(record):
    """What the readers hand the checking actors: one valid article row per record, an
    error row where the record cannot be checked (never an exception)."""
    row = article_row("a.jsonl", record, Fields(format="format"), "line 1: ")
    table = _unwritten([row], pa.array([], type=pa.string()))
    assert table.num_rows == 1
    assert (row["error"] is None) == (isinstance(record.get("text"), str) and "\ud800" not in record["text"] and (record.get("format") is None or str(record["format"]).lower() in FORMATS))


def test_a_broken_json_line_is_one_error_row_and_one_line(tmp_path):
    (tmp_path / "bad.jsonl").write_text('{"id": "1", "text": "The squeeze meeting."}\n{not json\n[1, 2]\n', encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "detector", "batch", str(tmp_path / "bad.jsonl"), "--output", str(tmp_path / "out"), "--no-model", "-q"],
        capture_output=True, text=True, env={**os.environ, "UNSPIN_CACHE_DIR": str(tmp_path / "cache")}, timeout=300,
    )
    assert done.returncode == 2
    assert "3 articles (0 from earlier runs)" in done.stdout and "1 findings in 1 articles, 2 errors" in done.stdout
    errors = [line for line in done.stderr.splitlines() if "bad.jsonl" in line]
    assert [e.split(": ", 1)[1] for e in errors] == ["line 2: not JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)", "line 3: not a JSON object"]
    assert "Traceback" not in done.stderr
    # a rerun with nothing left to check starts no actor, and Ray's warning of that stays unshown
    again = subprocess.run(done.args, capture_output=True, text=True, env={**os.environ, "UNSPIN_CACHE_DIR": str(tmp_path / "cache")}, timeout=300)
    assert "3 articles (3 from earlier runs)" in again.stdout
    assert "Warning" not in again.stderr and "Traceback" not in again.stderr
    # Ray's per-actor notice about its own restart bug (ray-project/ray#53727) is not shown
    assert "core_worker" not in done.stderr + again.stderr
    assert done.stderr.count("\n") == 2  # the two error lines, nothing else
    assert done.stdout.count("\n") == 1  # no progress bars when piped: the summary only


def test_a_terminal_gets_progress_bars_and_quiet_drops_them(tmp_path):
    import pexpect

    (tmp_path / "a.jsonl").write_text("".join(json.dumps({"id": str(i), "text": "The squeeze meeting."}) + "\n" for i in range(50)), encoding="utf-8")
    env = {**os.environ, "UNSPIN_CACHE_DIR": str(tmp_path / "cache")}
    shown = {}
    for name, extra in (("bars", []), ("quiet", ["-q"])):
        command = ["-m", "detector", "batch", str(tmp_path / "a.jsonl"), "--output", str(tmp_path / name), "--no-model", *extra]
        shown[name] = pexpect.run(sys.executable, args=command, env=env, timeout=300, encoding="utf-8")
        assert "50 articles (0 from earlier runs)" in shown[name]
    assert "rows/s" in shown["bars"] and "rows/s" not in shown["quiet"]


@pytest.mark.shipped_model
def test_sigkill_mid_run_then_rerun_loses_and_duplicates_nothing(tmp_path):
    records = write_jsonl(tmp_path / "a.jsonl", 600, seed=2)
    output = tmp_path / "out"
    command = [sys.executable, "-m", "detector", "batch", str(tmp_path / "a.jsonl"), "--output", str(output), "--workers", "2", "-q", "--lm-suggestions", "off", "--fast"]
    env = {**os.environ, "UNSPIN_CACHE_DIR": str(tmp_path / "cache")}
    run = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and not list(output.glob("*.parquet")) and run.poll() is None:
        time.sleep(0.1)
    os.killpg(run.pid, signal.SIGKILL)  # the driver and the local cluster it started
    run.wait()
    # a worker of that cluster may finish one more file before the reaper ends it
    written, settled = -1, time.monotonic()
    while time.monotonic() - settled < 5:
        now = len({row["id"] for row in rows(output, cut_off_too=True)}) if output.exists() else 0
        if now != written:
            written, settled = now, time.monotonic()
        time.sleep(0.5)
    assert written < len(records), "the run finished before it could be killed"
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    ids = [row["id"] for row in rows(output)]
    assert len(ids) == len(set(ids)) == len(records)
    assert set(ids) == {r["id"] for r in records}
    assert f"({written} from earlier runs)" in done.stdout or written == 0
