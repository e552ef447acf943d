"""What a hostile afternoon fed unspin (issue 43's catalogue), each case as a test: one
clear line and exit 2 for what cannot be checked, never a traceback, a hang or a file
lost; plus property tests over the readers. The batch and server cases are in
test_batch.py and test_server.py beside the rest of those parts."""

from __future__ import annotations

import codecs
import json
import os
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detector.readers import read_document

SPUN = "The Unfamiliar Clergyman spoke at a squeeze meeting."


def unspin(*args, cwd=None, stdin=subprocess.DEVNULL, timeout=120):
    return subprocess.run([sys.executable, "-m", "detector", *args], cwd=cwd, stdin=stdin, capture_output=True, text=True, timeout=timeout)


def test_a_fifo_in_a_folder_is_one_error_line_and_the_other_files_are_checked(tmp_path):
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / "article.md").write_text(SPUN + "\n", encoding="utf-8")
    os.mkfifo(folder / "pipe.md")  # no writer: opening it for reading would wait for ever
    done = unspin("check", "--fast", "--no-model", "--format", "json", str(folder), timeout=60)
    assert done.returncode == 2
    report = json.loads(done.stdout)
    errors = {f["path"]: f["error"] for f in report["files"]}
    assert errors[str(folder / "pipe.md")].startswith("not a regular file (a FIFO)")
    assert errors[str(folder / "article.md")] is None
    assert report["summary"]["findings"] >= 2
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("ending", ["\r", "\r\n", "\n"])
def test_every_line_ending_style_reads_in_markdown(ending, run_cli, tmp_path):
    path = tmp_path / "m.md"
    path.write_bytes(f"# Talks{ending}{ending}{SPUN}{ending}Second line.{ending}".encode())
    code, out, _ = run_cli("check", "--fast", "--format", "json", str(path))
    findings = json.loads(out)["files"][0]["findings"]
    source = path.read_bytes().decode()
    assert code == 1 and {source[f["start"] : f["end"]] for f in findings} >= {"Unfamiliar Clergyman", "squeeze meeting"}


@pytest.mark.parametrize("nesting", ["> " * 20, "> " * 3000])
def test_deeply_nested_text_is_checked_not_dropped(nesting, tmp_path, run_cli):
    path = tmp_path / "deep.md"
    path.write_text(nesting + SPUN + "\n", encoding="utf-8")
    code, out, _ = run_cli("check", "--fast", "--format", "json", str(path))
    report = json.loads(out)["files"][0]
    assert report["words"] == 8
    assert {f["text"] for f in report["findings"]} >= {"Unfamiliar Clergyman", "squeeze meeting"}


def test_lists_deeper_than_the_parser_goes_are_checked(tmp_path, run_cli):
    path = tmp_path / "lists.md"
    path.write_text("".join("  " * i + f"- item {i}\n" for i in range(40)) + "  " * 40 + "- " + SPUN + "\n", encoding="utf-8")
    code, out, _ = run_cli("check", "--fast", "--format", "json", str(path))
    assert "squeeze meeting" in {f["text"] for f in json.loads(out)["files"][0]["findings"]}


@pytest.mark.parametrize("content", [b"threshold = 0.5\n# \xff\xfe\n", b"x = " + b"[" * 100_000 + b"]" * 100_000 + b"\n"])
def test_a_config_that_cannot_be_read_is_one_line_and_exit_2(content, tmp_path):
    (tmp_path / "unspin.toml").write_bytes(content)
    (tmp_path / "a.txt").write_text(SPUN, encoding="utf-8")
    done = unspin("check", "--fast", "--no-model", "a.txt", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith(f"unspin: error: {tmp_path / 'unspin.toml'}: invalid TOML") and done.stderr.count("\n") == 1


def test_closed_standard_input_is_one_line_and_exit_2():
    done = subprocess.run([sys.executable, "-m", "detector", "check", "--fast", "--no-model", "-"], stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, pass_fds=(), preexec_fn=lambda: os.close(0))
    assert done.returncode == 2
    assert "-: error: standard input is closed" in done.stdout and "Traceback" not in done.stderr


@pytest.mark.parametrize("fmt", ["json", "jsonl", "sarif", "html"])
def test_a_file_name_that_is_not_utf8_keeps_machine_output_valid_utf8(fmt, tmp_path):
    folder = os.fsencode(tmp_path)
    with open(folder + b"/bad\xff\xfe.md", "wb") as handle:
        handle.write(SPUN.encode())
    done = subprocess.run([sys.executable, "-m", "detector", "check", "--fast", "--no-model", "--format", fmt, str(tmp_path)], capture_output=True, timeout=60)
    assert done.returncode == 1
    text = done.stdout.decode("utf-8")  # strict: raises on a raw 0xFF
    if fmt == "json":
        assert json.loads(text)["files"][0]["path"].endswith("bad\ufffd\ufffd.md")


class TestFixKeeps:
    """`fix --in-place` keeps what it read, or refuses with one line."""

    def test_utf16_big_endian_with_its_mark(self, tmp_path, run_cli):
        path = tmp_path / "be.txt"
        path.write_bytes(codecs.BOM_UTF16_BE + (SPUN + "\n").encode("utf-16-be"))
        code, _, _ = run_cli("fix", "--fast", "--in-place", str(path))
        data = path.read_bytes()
        assert data.startswith(codecs.BOM_UTF16_BE)
        assert data[2:].decode("utf-16-be") == "The Foreign Minister spoke at a press conference.\n"

    def test_hard_links_are_refused_and_both_names_keep_the_old_text(self, tmp_path, run_cli):
        path, other = tmp_path / "a.txt", tmp_path / "b.txt"
        path.write_text(SPUN, encoding="utf-8")
        os.link(path, other)
        code, _, err = run_cli("fix", "--fast", "--in-place", str(path))
        assert code == 2 and "has 1 other hard link" in err
        assert path.read_text(encoding="utf-8") == other.read_text(encoding="utf-8") == SPUN

    def test_extended_attributes(self, tmp_path, run_cli):
        path = tmp_path / "a.txt"
        path.write_text(SPUN, encoding="utf-8")
        try:
            os.setxattr(path, "user.origin", b"newsroom")
        except OSError:
            pytest.skip("this file system keeps no user extended attributes")
        code, _, _ = run_cli("fix", "--fast", "--in-place", str(path))
        assert "press conference" in path.read_text(encoding="utf-8")
        assert os.getxattr(path, "user.origin") == b"newsroom"

    def test_an_owner_it_cannot_keep_is_refused(self, tmp_path, monkeypatch, run_cli):
        path = tmp_path / "a.txt"
        path.write_text(SPUN, encoding="utf-8")
        real_stat = os.stat

        class Foreign:
            """The file as another user's, group-writable, seen by this one."""

            def __init__(self, info):
                self._info = info

            def __getattr__(self, name):
                return {"st_uid": 4242, "st_gid": 4242}.get(name, getattr(self._info, name))

        monkeypatch.setattr(os, "stat", lambda p, *a, **k: Foreign(real_stat(p, *a, **k)) if str(p) == str(path) else real_stat(p, *a, **k))
        monkeypatch.setattr(os, "chown", lambda *a, **k: (_ for _ in ()).throw(PermissionError(1, "Operation not permitted")))
        code, _, err = run_cli("fix", "--fast", "--in-place", str(path))
        assert code == 2 and "its owner (4242:4242) cannot be kept" in err
        assert path.read_text(encoding="utf-8") == SPUN


TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)
MARKUP = st.lists(st.sampled_from(["> ", "- ", "1. ", "# ", "`", "**", "_", "[", "](x)", "<b>", "</b>", "&amp;", "&#1;", "\\", "|", "---", "```", "\r", "\n", "\r\n", "\t", "    ", "word ", "Spun phrase ", "<!-- unspin: off -->", "é", "\u00a0"]), max_size=60).map("".join)


@settings(max_examples=150, deadline=None)
@given(st.one_of(TEXT, MARKUP), st.sampled_from(["text", "markdown", "html"]))
def test_every_reader_maps_its_checked_text_back_into_the_source(source, fmt):
    doc = read_document("fuzz", source, fmt)
    for start in range(0, len(doc.text), 7):
        end = min(len(doc.text), start + 5)
        src_start, src_end = doc.to_source(start, end)
        assert 0 <= src_start <= src_end <= len(source)
        doc.line_col(src_start)
