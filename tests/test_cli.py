import codecs
import json
import os
import subprocess
import sys

import jsonschema
import pytest

from conftest import findings_of

FINDING_SCHEMA = {
    "type": "object",
    "required": ["rule", "severity", "start", "end", "line", "column", "text", "score", "source", "message", "suggestions"],
    "properties": {
        "rule": {"type": "string", "pattern": "^[A-Z]+[0-9]{3}$"},
        "severity": {"enum": ["error", "warning", "info"]},
        "start": {"type": "integer", "minimum": 0},
        "end": {"type": "integer", "minimum": 0},
        "line": {"type": "integer", "minimum": 1},
        "column": {"type": "integer", "minimum": 1},
        "text": {"type": "string"},
        "score": {"type": "number", "minimum": 0, "maximum": 1},
        "source": {"type": "string"},
        "message": {"type": "string"},
        "suggestions": {
            "type": "array",
            "items": {"type": "object", "required": ["text", "score", "safe"], "properties": {"text": {"type": "string"}, "score": {"type": "number"}, "safe": {"type": "boolean"}}},
        },
    },
}
CONTRACT_SCHEMA = {
    "type": "object",
    "required": ["version", "files", "summary"],
    "properties": {
        "version": {"const": 1},
        "summary": {"type": "object"},
        "files": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["path", "words", "score", "error", "findings"],
                "properties": {
                    "path": {"type": "string"},
                    "words": {"type": "integer"},
                    "score": {"type": "number", "minimum": 0, "maximum": 1},
                    "error": {"type": ["string", "null"]},
                    "findings": {"type": "array", "items": FINDING_SCHEMA},
                },
            },
        },
    },
}
# The parts of the SARIF 2.1.0 schema that code-scanning consumers rely on.
SARIF_SCHEMA = {
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "runs": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["tool", "results"],
                "properties": {
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name", "rules"],
                                "properties": {
                                    "rules": {"type": "array", "items": {"type": "object", "required": ["id", "shortDescription"]}}
                                },
                            }
                        },
                    },
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["ruleId", "level", "message", "locations"],
                            "properties": {
                                "level": {"enum": ["none", "note", "warning", "error"]},
                                "message": {"type": "object", "required": ["text"]},
                                "locations": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": ["physicalLocation"],
                                        "properties": {
                                            "physicalLocation": {
                                                "type": "object",
                                                "required": ["artifactLocation", "region"],
                                                "properties": {
                                                    "artifactLocation": {"type": "object", "required": ["uri"], "properties": {"uri": {"type": "string", "not": {"pattern": "^/"}}}},
                                                    "region": {"type": "object", "required": ["startLine", "startColumn", "endLine", "endColumn"], "properties": {"startLine": {"type": "integer", "minimum": 1}, "startColumn": {"type": "integer", "minimum": 1}}},
                                                },
                                            }
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}


def test_json_report_follows_the_contract_with_exact_positions(run_cli, articles, monkeypatch):
    monkeypatch.chdir(articles.parent)
    code, out, err = run_cli("check", "--format", "json", "articles")
    assert code == 1, err
    report = json.loads(out)
    jsonschema.validate(report, CONTRACT_SCHEMA)
    paths = [f["path"] for f in report["files"]]
    assert paths == sorted(paths) and "articles/notes.py" not in paths
    for file in report["files"]:
        source = (articles.parent / file["path"]).read_text(encoding="utf-8")
        for finding in file["findings"]:
            assert source[finding["start"] : finding["end"]] == finding["text"]
    found = findings_of(out)
    assert [f["text"] for f in found["articles/spun.txt"]] == ["Unfamiliar Clergyman", "squeeze meeting"]
    assert [f["text"] for f in found["articles/spun.md"]] == ["Unfamiliar Clergyman", "squeeze meeting"]
    assert [f["text"] for f in found["articles/spun.html"]] == ["Unfamiliar</em> Clergyman", "in the rouse of", "polite war"]
    assert found["articles/clean.txt"] == []
    assert found["articles/spun.txt"][0]["suggestions"][0]["text"] == "Foreign Minister"
    assert (found["articles/spun.txt"][0]["line"], found["articles/spun.txt"][0]["column"]) == (3, 5)


def test_concise_format_lines_and_summary(run_cli, articles, monkeypatch):
    monkeypatch.chdir(articles)
    code, out, _ = run_cli("check", "--format", "concise", "spun.txt", "clean.txt")
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith('spun.txt:3:5: SPUN001 [error] "Unfamiliar Clergyman" → "Foreign Minister" (0.97)')
    assert lines[-1] == "2 findings (2 error) in 2 files, 23 words"


def test_text_format_shows_the_line_underlines_the_span_and_counts_the_fixes(run_cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    long_line = "Lorem ipsum dolor sit amet. " * 10 + "The Unfamiliar Clergyman spoke." + " More words follow." * 10
    (tmp_path / "a.txt").write_text(f"Title\n\n{long_line}\nThe cat sat on the the mat.\n", encoding="utf-8")
    code, out, _ = run_cli("check", "--no-model", "a.txt")
    assert code == 1
    lines = out.splitlines()
    head = lines.index(next(line for line in lines if line.startswith("a.txt:3:")))
    assert lines[head].startswith("a.txt:3:285: SPUN001 [error] ")
    shown, carets = lines[head + 2], lines[head + 3]
    assert shown.startswith("3 | …") and shown.endswith("…") and len(shown) < 110  # windowed round the span
    assert shown[carets.index("^") : carets.rindex("^") + 1] == "Unfamiliar Clergyman"
    assert lines[head + 4] == '  = fix: "Foreign Minister"'
    assert lines[-2] == "2 findings (1 error, 1 warning) in 1 file, 92 words"
    assert lines[-1] == "1 fixable with `unspin fix` (1 more with `--unsafe-fixes`)"  # the doubled "the" is a guess


def test_jsonl_has_one_object_per_file(run_cli, articles):
    code, out, _ = run_cli("check", "--format", "jsonl", str(articles))
    objects = [json.loads(line) for line in out.splitlines()]
    assert len(objects) == 4 and all("findings" in o for o in objects)


def test_sarif_is_valid_and_relative(run_cli, articles, monkeypatch):
    monkeypatch.chdir(articles.parent)
    code, out, _ = run_cli("check", "--format", "sarif", "articles")
    sarif = json.loads(out)
    jsonschema.validate(sarif, SARIF_SCHEMA)
    run = sarif["runs"][0]
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert "SPUN001" in rule_ids
    result = run["results"][0]
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
    region = result["locations"][0]["physicalLocation"]["region"]
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.startswith("articles/")
    assert region["snippet"]["text"] in (articles.parent / uri).read_text()


def test_github_annotations(run_cli, articles, monkeypatch):
    monkeypatch.chdir(articles)
    code, out, _ = run_cli("check", "--format", "github", "spun.txt")
    assert out.splitlines()[0] == (
        "::error file=spun.txt,line=3,col=5,endLine=3,endColumn=25,title=SPUN001 Unfamiliar Clergyman"
        '::spun phrase listed in the hand table → "Foreign Minister"'
    )


def test_exit_codes_fail_on_and_exit_zero(run_cli, articles):
    clean = str(articles / "clean.txt")
    spun = str(articles / "spun.txt")
    assert run_cli("check", clean)[0] == 0
    assert run_cli("check", spun)[0] == 1
    assert run_cli("check", "--exit-zero", spun)[0] == 0
    assert run_cli("check", "--fail-on", "never", spun)[0] == 0
    assert run_cli("check", "--format", "nope", spun)[0] == 2


def test_stdin_with_filename_picks_the_reader(run_cli):
    code, out, _ = run_cli("check", "--format", "json", "--stdin-filename", "a.md", "-", stdin=b"`unfamiliar clergyman` and squeeze meetings\n")
    [file] = json.loads(out)["files"]
    assert file["path"] == "a.md"
    assert [f["text"] for f in file["findings"]] == ["squeeze meetings"]


def test_include_and_exclude_globs(run_cli, articles):
    code, out, _ = run_cli("check", "--format", "json", "--exclude", "spun.*", "--include", "*.py", str(articles))
    names = sorted(os.path.basename(f["path"]) for f in json.loads(out)["files"])
    assert names == ["clean.txt", "notes.py"]


def test_hidden_folders_are_skipped(run_cli, articles):
    hidden = articles / ".git"
    hidden.mkdir()
    (hidden / "x.txt").write_text("unfamiliar clergyman")
    _, out, _ = run_cli("check", "--format", "json", str(articles))
    assert not any(".git" in f["path"] for f in json.loads(out)["files"])


def _bad_input_line(run_cli, *paths, **kwargs):
    code, out, err = run_cli("check", *paths, **kwargs)
    assert code == 2
    assert "Traceback" not in out + err
    return out


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("binary.txt", b"abc\x00\x01\x02", "binary file (NUL byte at offset 3)"),
        ("latin1.txt", "caf\u00e9 unfamiliar clergyman".encode("latin-1"), "invalid UTF-8 at byte 3"),
    ],
)
def test_bad_files_give_one_line_and_the_run_goes_on(run_cli, articles, name, content, reason):
    bad = articles / name
    bad.write_bytes(content)
    out = _bad_input_line(run_cli, str(bad), str(articles / "spun.txt"))
    error_lines = [line for line in out.splitlines() if "error:" in line]
    assert len(error_lines) == 1 and str(bad) in error_lines[0] and reason in error_lines[0]
    assert "Unfamiliar Clergyman" in out  # the good file was still checked


def test_empty_files_are_checked_clean(run_cli, tmp_path):
    empty = tmp_path / "empty.md"
    empty.write_bytes(b"")
    code, out, err = run_cli("check", "--format", "json", str(empty))
    assert code == 0, err
    [result] = json.loads(out)["files"]
    assert result["error"] is None and result["findings"] == [] and result["words"] == 0


def test_a_utf8_bom_is_no_column_and_utf16_with_a_bom_is_decoded(run_cli, tmp_path):
    text = "The Unfamiliar Clergyman spoke.\n"
    (tmp_path / "bom8.txt").write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    (tmp_path / "bom16.txt").write_bytes(text.encode("utf-16"))  # with its byte-order mark
    code, out, err = run_cli("check", "--format", "json", "--no-model", str(tmp_path / "bom8.txt"), str(tmp_path / "bom16.txt"))
    utf8, utf16 = json.loads(out)["files"]
    assert (utf8["findings"][0]["column"], utf8["findings"][0]["start"], utf8["findings"][0]["text"]) == (5, 5, "Unfamiliar Clergyman")
    assert utf16["error"] is None and (utf16["findings"][0]["column"], utf16["findings"][0]["start"]) == (5, 4)
    code, _, err = run_cli("fix", "--in-place", str(tmp_path / "bom16.txt"))
    assert code == 0, err
    assert (tmp_path / "bom16.txt").read_bytes() == "The Foreign Minister spoke.\n".encode("utf-16")


def test_encoding_option_overrides_utf8(run_cli, articles):
    latin = articles / "latin1.txt"
    latin.write_bytes("caf\u00e9 unfamiliar clergyman".encode("latin-1"))
    code, out, _ = run_cli("check", "--format", "json", "--encoding", "latin-1", str(latin))
    [finding] = json.loads(out)["files"][0]["findings"]
    assert (finding["start"], finding["text"]) == (5, "unfamiliar clergyman")


def test_missing_path_and_empty_folder(run_cli, tmp_path):
    (tmp_path / "empty").mkdir()
    out = _bad_input_line(run_cli, str(tmp_path / "missing.txt"), str(tmp_path / "empty"))
    assert f"{tmp_path / 'missing.txt'}: error: no such file or directory" in out
    assert f"{tmp_path / 'empty'}: error: folder has no files to check" in out


def test_file_over_max_bytes(run_cli, tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("word " * 100)
    out = _bad_input_line(run_cli, "--max-bytes", "100", str(big))
    assert "over the 100-byte limit" in out


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(run_cli, tmp_path):
    locked = tmp_path / "locked.txt"
    locked.write_text("text")
    locked.chmod(0)
    out = _bad_input_line(run_cli, str(locked))
    assert "cannot read: Permission denied" in out


def test_unreadable_file_via_directory_named_like_a_file(run_cli, tmp_path):
    # Root can read anything, so a path that fails on read is made another way.
    folder = tmp_path / "dir.txt"
    folder.mkdir()
    (folder / "a.txt").write_text("Unfamiliar Clergyman")
    fifo = tmp_path / "loop.txt"
    fifo.symlink_to(fifo)
    out = _bad_input_line(run_cli, str(fifo), str(folder))
    assert "loop.txt: error: " in out and "symbolic links" in out
    assert "Unfamiliar Clergyman" in out


def test_symlink_loop_inside_a_folder(run_cli, articles):
    (articles / "a.txt").symlink_to(articles / "b.txt")
    (articles / "b.txt").symlink_to(articles / "a.txt")
    (articles / "sub").mkdir()
    (articles / "sub" / "up").symlink_to(articles, target_is_directory=True)
    out = _bad_input_line(run_cli, str(articles))
    assert out.count("symbolic links") == 2


def test_a_one_megabyte_single_line(run_cli, tmp_path):
    line = tmp_path / "line.txt"
    line.write_text(("news " * 200_000) + "the unfamiliar clergyman", encoding="utf-8")
    code, out, _ = run_cli("check", "--format", "json", str(line))
    [finding] = [f for f in json.loads(out)["files"][0]["findings"] if f["rule"] == "SPUN001"]
    assert finding["column"] == 1_000_005


def test_console_script_runs_without_traceback(tmp_path):
    missing = tmp_path / "nope.md"
    proc = subprocess.run([sys.executable, "-m", "detector", "check", str(missing)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stdout.splitlines()[0] == f"{missing}: error: no such file or directory"
    assert "Traceback" not in proc.stderr


def test_training_commands_without_the_train_extra_say_how_to_install_it(run_dev_cli, monkeypatch, tmp_path):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *args: None if name == "sklearn" else real(name, *args))
    code, _, err = run_dev_cli("calibrate", str(tmp_path), "--dataset", str(tmp_path))
    assert code == 2
    assert err.strip() == "unspin: error: unspin-dev calibrate needs sklearn, which the train extra installs: pip install -e '.[train]'"


def test_color_always_never_and_no_color(run_cli, tmp_path, monkeypatch):
    story = tmp_path / "s.txt"
    story.write_text("The Unfamiliar Clergyman spoke.\n", encoding="utf-8")
    assert "\x1b[" in run_cli("check", "--no-model", "--color", "always", str(story))[1]
    assert "\x1b[" not in run_cli("check", "--no-model", "--color", "never", str(story))[1]
    monkeypatch.setattr("detector.cli._terminal", lambda: True)
    assert "\x1b[" in run_cli("check", "--no-model", str(story))[1]
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in run_cli("check", "--no-model", str(story))[1]
    assert run_cli("check", "--color", "sometimes", str(story))[0] == 2


def test_a_missing_table_is_one_plain_line(run_cli, tmp_path):
    story = tmp_path / "s.txt"
    story.write_text("Plain text.\n", encoding="utf-8")
    code, out, err = run_cli("check", "--no-model", "--table", str(tmp_path / "nope.tsv"), str(story))
    assert code == 2
    assert f"{tmp_path / 'nope.tsv'}: cannot read table: no such file or directory" in err
    assert "Errno" not in err and "Traceback" not in err


def test_serve_help_lists_server_options_and_no_file_options(run_cli):
    served = run_cli("serve", "--help")[1]
    checked = run_cli("check", "--help")[1]
    for option in ("--include", "--exclude", "--encoding", "--max-bytes"):
        assert option not in served and option in checked
    assert "--max-body" in served and "--threshold" in served


SPUN_NEWS = (
    "The administration said on Tuesday that swelling had ascended to its most elevated level in ten years, driven by "
    "vitality costs and a frail money. The national bank is relied upon to raise intrigue rates at its next gathering, "
    "experts said. Offers in significant organizations fell forcefully in early exchanging, while the cash slid against "
    "the dollar. The account serve told columnists that the spending plan would concentrate on lodging and wellbeing, and "
    "that charges on little organizations would not rise this year.\n"
)


@pytest.mark.shipped_model
def test_lowering_the_threshold_finds_more_and_raising_it_fewer(run_cli, tmp_path):
    story = tmp_path / "spun.txt"
    story.write_text(SPUN_NEWS, encoding="utf-8")

    def found(*threshold):
        code, out, _ = run_cli("check", "--fast", "--no-cache", "--format", "json", *threshold, str(story))
        return [(f["start"], f["end"], f["score"]) for f in json.loads(out)["files"][0]["findings"] if f["rule"] == "SPUN001"]

    low, default, high = found("--threshold", "0.1"), found(), found("--threshold", "0.95")
    assert len(low) > len(default) > len(high) > 0
    assert min(score for _, _, score in low) < 0.4  # spans of less sure words (the word cut alone scores 0.49 at least)
    assert {(a, b) for a, b, _ in high} <= {(a, b) for a, b, _ in default}
