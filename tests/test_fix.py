import json
import os
import stat
import sys

import click
import pexpect
import pytest

import detector.atomic
import detector.fix


@pytest.fixture
def article(tmp_path):
    path = tmp_path / "story.md"
    path.write_text("# News\n\nTwo **Unfamiliar Clergymen** met at a squeeze meeting. The the end.\n", encoding="utf-8")
    path.chmod(0o640)
    return path


def test_diff_prints_changes_and_changes_nothing(run_cli, article):
    before = article.read_bytes()
    code, out, _ = run_cli("fix", "--diff", str(article))
    assert code == 1
    assert "-Two **Unfamiliar Clergymen** met at a squeeze meeting. The the end." in out
    assert "+Two **Foreign Ministers** met at a press conference. The the end." in out
    assert article.read_bytes() == before


def test_a_coloured_diff_marks_the_changed_words_only(run_cli, article):
    code, plain, _ = run_cli("fix", "--diff", "--color", "never", str(article))
    assert code == 1 and "\x1b[" not in plain
    code, coloured, _ = run_cli("fix", "--diff", "--color", "always", str(article))
    assert code == 1
    reverse = "\x1b[7m"
    marked = {piece.split("\x1b[0m")[0] for piece in coloured.split(reverse)[1:]}
    assert marked == {"Unfamiliar", "Clergymen", "Foreign", "Ministers", "squeeze", "meeting", "press", "conference"}
    assert click.unstyle(coloured) == plain


def test_only_safe_fixes_by_default_and_guesses_with_unsafe_fixes(run_cli, tmp_path):
    # a doubled word can be meant ("that that"), and a model's or searched guess can change
    # a fact ("calls off" -> "calls"): neither is applied unless asked for
    story = tmp_path / "s.txt"
    story.write_text("Union calls off strike at port. The the Unfamiliar Clergyman spoke.\n", encoding="utf-8")
    code, out, _ = run_cli("fix", "--stdout", str(story))
    assert out == "Union calls off strike at port. The the Foreign Minister spoke.\n"
    code, out, _ = run_cli("fix", "--stdout", "--unsafe-fixes", str(story))
    assert "The Foreign Minister spoke." in out


def test_json_marks_each_suggestion_safe_or_not(run_cli, tmp_path):
    story = tmp_path / "s.txt"
    story.write_text("The Unfamiliar Clergyman spoke. The the end. Caf\u00c3\u00a9 open.\n", encoding="utf-8")
    code, out, _ = run_cli("check", "--format", "json", "--no-model", str(story))
    by_rule = {f["rule"]: f["suggestions"][0]["safe"] for f in json.loads(out)["files"][0]["findings"]}
    assert by_rule == {"SPUN001": True, "QUAL008": False, "QUAL002": True}


@pytest.mark.parametrize("flags", [("--diff", "--in-place"), ("--stdout", "--in-place"), ("--diff", "--stdout"), ("--follow-symlinks",)])
def test_mode_flags_are_exclusive(run_cli, article, flags):
    before = article.read_bytes()
    code, _, err = run_cli("fix", *flags, str(article))
    assert code == 2 and ("cannot be combined" in err or "needs --in-place" in err)
    assert article.read_bytes() == before


def test_in_place_refuses_read_only_files(run_cli, article):
    article.chmod(0o444)
    before = article.read_bytes()
    code, _, err = run_cli("fix", "--in-place", str(article))
    assert code == 2 and f"{article}: error: is read-only; not written" in err
    assert article.read_bytes() == before and stat.S_IMODE(article.stat().st_mode) == 0o444


def test_in_place_refuses_symlinks_unless_asked_then_fixes_the_target(run_cli, article, tmp_path):
    link = tmp_path / "link.md"
    link.symlink_to(article)
    before = article.read_bytes()
    code, _, err = run_cli("fix", "--in-place", str(link))
    assert code == 2 and "is a symlink; not written (--follow-symlinks writes its target)" in err
    assert link.is_symlink() and article.read_bytes() == before
    code, _, err = run_cli("fix", "--in-place", "--follow-symlinks", str(link))
    assert code == 0, err
    assert link.is_symlink() and "Foreign Ministers" in article.read_text()
    assert stat.S_IMODE(article.stat().st_mode) == 0o640


def test_in_place_rewrites_keeping_markup_and_permissions(run_cli, article):
    code, _, err = run_cli("fix", "--in-place", str(article))
    assert code == 0, err
    assert article.read_text() == "# News\n\nTwo **Foreign Ministers** met at a press conference. The the end.\n"
    assert stat.S_IMODE(article.stat().st_mode) == 0o640
    assert [p.name for p in article.parent.iterdir()] == ["story.md"]


def test_markup_inside_a_span_is_kept_word_by_word(run_cli, tmp_path):
    page = tmp_path / "p.html"
    page.write_text("<p>The <em>Unfamiliar</em> Clergyman spoke.</p>", encoding="utf-8")
    code, out, _ = run_cli("fix", "--stdout", str(page))
    assert out == "<p>The <em>Foreign</em> Minister spoke.</p>"


def test_fixes_across_markup_are_the_same_from_the_cache_and_from_workers(run_cli, tmp_path, private_cache):
    # a fix across markup is planned from the finding's span in the checked text, which
    # cached results and worker processes must carry along with the source span
    pages = []
    for name in ("a.html", "b.html"):
        pages.append(str(tmp_path / name))
        (tmp_path / name).write_text("<p>The <em>Unfamiliar</em> Clergyman spoke.</p>\n", encoding="utf-8")
    fresh = run_cli("fix", "--diff", "--no-model", *pages)
    assert list((private_cache / "results").rglob("*.json"))
    cached = run_cli("fix", "--diff", "--no-model", *pages)
    workers = run_cli("fix", "--diff", "--no-model", "--no-cache", "--jobs", "2", *pages)
    assert fresh == cached == workers
    assert fresh[1].count("+<p>The <em>Foreign</em> Minister spoke.</p>") == 2


def test_a_file_edited_after_its_check_is_not_written(tmp_path):
    from detector.api import plan_fix_targets
    from detector.wiring import build_pipeline
    from detector.config import Config
    from detector.files import discover

    story = tmp_path / "s.txt"
    story.write_text("The Unfamiliar Clergyman spoke.\n", encoding="utf-8")
    config = Config(model=False)
    targets = discover([str(story)], config.extensions, config.include, config.exclude)
    [plan] = plan_fix_targets(config, targets, build_pipeline(config)[0], use_cache=False)
    assert plan.fixed() == "The Foreign Minister spoke.\n"
    story.write_text("The Unfamiliar Clergyman spoke, someone wrote.\n", encoding="utf-8")
    with pytest.raises(detector.fix.FixError, match="changed since it was checked"):
        detector.fix.Writer(targets, config.encoding, config.max_bytes).write(plan, plan.fixed())
    assert story.read_text() == "The Unfamiliar Clergyman spoke, someone wrote.\n"


def test_min_score_filters_guesses(run_cli, article):
    code, out, _ = run_cli("fix", "--stdout", "--unsafe-fixes", "--min-score", "0.99", str(article))
    assert "Foreign Ministers" in out and "The end." in out  # the table's and the doubled word's (score 1)
    code, out, _ = run_cli("fix", "--stdout", "--unsafe-fixes", "--min-score", "1", str(article))
    assert "Foreign Ministers" in out  # safe fixes whatever their score


def test_interrupted_write_leaves_the_original_intact(run_cli, article, monkeypatch):
    before = article.read_bytes()

    def crash(*args):
        raise KeyboardInterrupt  # as if the process were stopped between write and rename

    monkeypatch.setattr(detector.atomic.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        detector.fix.write_fixed(article, "new text", "utf-8", before)
    assert article.read_bytes() == before
    assert [p.name for p in article.parent.iterdir()] == ["story.md"]


def test_a_file_changed_since_it_was_read_is_not_written(article):
    before = article.read_bytes()
    article.write_text("edited by someone else\n")
    with pytest.raises(detector.fix.FixError, match="changed since it was read"):
        detector.fix.write_fixed(article, "new text", "utf-8", before)
    assert article.read_text() == "edited by someone else\n"


def test_stdin_cannot_be_fixed_in_place(run_cli):
    code, _, err = run_cli("fix", "--in-place", "-", stdin=b"x")
    assert code == 2 and "--in-place cannot rewrite stdin" in err


def test_unreadable_input_is_reported_and_others_fixed(run_cli, article, tmp_path):
    code, _, err = run_cli("fix", "--in-place", str(tmp_path / "missing.md"), str(article))
    assert code == 2
    assert f"{tmp_path / 'missing.md'}: error: no such file or directory" in err
    assert "Foreign Ministers" in article.read_text()


def test_stdout_separates_several_files(run_cli, tmp_path):
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text("The Unfamiliar Clergyman spoke.\n", encoding="utf-8")
    code, out, _ = run_cli("fix", "--stdout", str(tmp_path / "a.txt"), str(tmp_path / "b.txt"))
    assert out == f"==> {tmp_path / 'a.txt'} <==\nThe Foreign Minister spoke.\n\n==> {tmp_path / 'b.txt'} <==\nThe Foreign Minister spoke.\n"


def test_interactive_needs_a_terminal(run_cli, article):
    code, _, err = run_cli("fix", "--interactive", str(article))
    assert code == 2 and "--interactive needs a terminal" in err


def test_interactive_asks_in_a_real_terminal(tmp_path):
    """y, n, ? then a in a pseudo-terminal (pexpect): the answered fixes, and only they, land."""
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("A squeeze meeting, a polite war and the the end.\n", encoding="utf-8")
    second.write_text("Another squeeze meeting.\n", encoding="utf-8")
    env = {**os.environ, "UNSPIN_CACHE_DIR": str(tmp_path / "cache"), "NO_COLOR": "1"}
    child = pexpect.spawn(sys.executable, ["-m", "detector", "fix", "--interactive", "--unsafe-fixes", "--no-model", "--lm-suggestions", "off", str(first), str(second)],
                          env=env, encoding="utf-8", timeout=120, dimensions=(40, 300))
    child.expect(r'a\.txt:1:3: SPUN001 "squeeze meeting" → "press conference" \(safe fix\)\. Apply\? \[y,n,a,q,\?\] ')
    child.send("y")
    child.expect(r'"polite war" → "civil war" .*Apply\? ')
    child.send("n")
    child.expect(r'QUAL008 "the the" → "the" \(guess, score [0-9.]+\)\. Apply\? ')
    child.send("?")
    child.expect("a: apply it and all the rest")
    child.expect(r"Apply\? ")
    child.send("a")  # this one and b.txt's without asking
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "b.txt:1:9" not in child.before
    assert first.read_text(encoding="utf-8") == "A press conference, a polite war and the end.\n"
    assert second.read_text(encoding="utf-8") == "Another press conference.\n"
