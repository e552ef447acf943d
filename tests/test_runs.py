"""Batch runs: the result cache, worker processes, progress output and lazy imports."""

import json
import os
import subprocess
import sys

import pytest

import detector.api
import detector.cache


def _report(out):
    return [(f["path"], [(x["rule"], x["start"], x["text"]) for x in f["findings"]]) for f in json.loads(out)["files"]]


def test_cache_reuses_results_and_misses_on_change(run_cli, articles, private_cache, monkeypatch):
    code, first, _ = run_cli("check", "--format", "json", str(articles))
    assert len(list((private_cache / "results").rglob("*.json"))) == 4
    calls = []
    original = detector.api.Pipeline.check
    monkeypatch.setattr(detector.api.Pipeline, "check", lambda self, docs: calls.append(len(docs)) or original(self, docs))
    code, second, _ = run_cli("check", "--format", "json", str(articles))
    assert second == first and calls == []
    (articles / "clean.txt").write_text("A polite war.\n")
    code, third, _ = run_cli("check", "--format", "json", str(articles))
    assert calls == [1]
    assert ("polite war" in third) and third != first
    run_cli("check", "--no-cache", "--format", "json", str(articles))
    assert calls == [1, 4]


def test_corrupt_cache_entries_are_rebuilt(run_cli, articles, private_cache):
    _, first, _ = run_cli("check", "--format", "json", str(articles))
    for entry in private_cache.rglob("*.json"):
        entry.write_text("{not json")
    code, second, err = run_cli("check", "--format", "json", str(articles))
    assert second == first and "Traceback" not in err
    assert all(json.loads(e.read_text())["key"] for e in (private_cache / "results").rglob("*.json"))


def test_config_change_misses_the_cache(run_cli, articles):
    _, first, _ = run_cli("check", "--format", "json", str(articles / "spun.txt"))
    (articles / "unspin.toml").write_text('allow = ["squeeze meeting"]\n')
    _, second, _ = run_cli("check", "--format", "json", str(articles / "spun.txt"))
    assert "squeeze meeting" in first and "squeeze meeting" not in second


def test_code_or_data_change_misses_the_cache(run_cli, articles, private_cache, tmp_path, monkeypatch):
    """An editable install changes code and data without changing its version number."""
    package = tmp_path / "package"
    (package / "sub").mkdir(parents=True)
    (package / "data").mkdir()
    (package / "sub" / "judge.py").write_text("WEIGHT = 1\n")
    (package / "data" / "weights.tsv").write_text("a\t1\n")
    before = detector.cache.package_digest.__wrapped__(package)
    (package / "sub" / "judge.py").write_text("WEIGHT = 2\n")
    after_code = detector.cache.package_digest.__wrapped__(package)
    (package / "data" / "weights.tsv").write_text("a\t2\n")
    assert len({before, after_code, detector.cache.package_digest.__wrapped__(package)}) == 3
    run_cli("check", "--format", "json", str(articles / "spun.txt"))
    calls = []
    original = detector.api.Pipeline.check
    monkeypatch.setattr(detector.api.Pipeline, "check", lambda self, docs: calls.append(len(docs)) or original(self, docs))
    monkeypatch.setattr(detector.cache, "package_digest", lambda: before)
    run_cli("check", "--format", "json", str(articles / "spun.txt"))
    assert calls == [1]


def test_jobs_give_the_same_report_in_the_same_order(run_cli, articles):
    for i in range(10):
        (articles / f"extra{i:02}.txt").write_text(f"Item {i}: the boss official said so.\n")
    _, serial, _ = run_cli("check", "--no-cache", "--no-model", "--format", "json", str(articles))
    _, parallel, _ = run_cli("check", "--no-cache", "--no-model", "-j", "2", "--format", "json", str(articles))
    assert _report(parallel) == _report(serial)


def test_table_only_runs_and_help_never_import_torch(articles):
    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from detector.cli import main\n"
        "CliRunner().invoke(main, ['--help'])\n"
        f"result = CliRunner().invoke(main, ['check', '--no-model', '--no-cache', {str(articles)!r}])\n"
        "assert result.exit_code == 1, result.output\n"
        "print('torch' in sys.modules, 'transformers' in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.stdout.strip() == "False False", proc.stderr


def test_no_progress_output_when_stderr_is_not_a_terminal(run_cli, articles):
    for i in range(25):
        (articles / f"n{i}.txt").write_text("Clean text.\n")
    code, out, err = run_cli("check", "--no-model", str(articles))
    assert err == ""


@pytest.mark.shipped_model
def test_the_first_check_says_what_it_prepares_and_later_ones_do_not(tmp_path):
    story = tmp_path / "story.txt"
    story.write_text("The Unfamiliar Clergyman told a squeeze meeting on Tuesday.\n", encoding="utf-8")
    command = [sys.executable, "-m", "detector", "check", "--fast", "--no-cache", str(story)]
    env = {**os.environ, "UNSPIN_CACHE_DIR": str(tmp_path / "cache")}
    first = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert first.returncode == 1, first.stderr
    assert "preparing the span tagger for this machine (once" in first.stderr
    again = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert again.returncode == 1 and again.stderr == ""


def test_building_the_suggestion_index_is_announced_once(tmp_path, capsys):
    from detector.suggest.evidence.index import shipped_index

    shipped_index(tmp_path)
    assert "building the suggestion index (once" in capsys.readouterr().err
    shipped_index(tmp_path)
    assert capsys.readouterr().err == ""
