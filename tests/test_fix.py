import stat

import pytest

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
    assert "+Two **Foreign Ministers** met at a press conference. The end." in out
    assert article.read_bytes() == before


def test_in_place_rewrites_keeping_markup_and_permissions(run_cli, article):
    code, _, err = run_cli("fix", "--in-place", str(article))
    assert code == 0, err
    assert article.read_text() == "# News\n\nTwo **Foreign Ministers** met at a press conference. The end.\n"
    assert stat.S_IMODE(article.stat().st_mode) == 0o640
    assert [p.name for p in article.parent.iterdir()] == ["story.md"]


def test_markup_inside_a_span_is_kept_word_by_word(run_cli, tmp_path):
    page = tmp_path / "p.html"
    page.write_text("<p>The <em>Unfamiliar</em> Clergyman spoke.</p>", encoding="utf-8")
    code, out, _ = run_cli("fix", "--stdout", str(page))
    assert out == "<p>The <em>Foreign</em> Minister spoke.</p>"


def test_min_score_filters_fixes(run_cli, article):
    code, out, _ = run_cli("fix", "--stdout", "--min-score", "0.99", str(article))
    assert "Unfamiliar Clergymen" in out and "The end." in out  # only the certain quality fix (score 1)


def test_interrupted_write_leaves_the_original_intact(run_cli, article, monkeypatch):
    before = article.read_bytes()

    def crash(*args):
        raise KeyboardInterrupt  # as if the process were stopped between write and rename

    monkeypatch.setattr(detector.fix.os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        detector.fix.write_atomic(article, "new text", "utf-8", before)
    assert article.read_bytes() == before
    assert [p.name for p in article.parent.iterdir()] == ["story.md"]


def test_a_file_changed_since_it_was_read_is_not_written(article):
    before = article.read_bytes()
    article.write_text("edited by someone else\n")
    with pytest.raises(detector.fix.FixError, match="changed since it was read"):
        detector.fix.write_atomic(article, "new text", "utf-8", before)
    assert article.read_text() == "edited by someone else\n"


def test_stdin_cannot_be_fixed_in_place(run_cli):
    code, _, err = run_cli("fix", "--in-place", "-", stdin=b"x")
    assert code == 2 and "--in-place cannot rewrite stdin" in err


def test_unreadable_input_is_reported_and_others_fixed(run_cli, article, tmp_path):
    code, _, err = run_cli("fix", "--in-place", str(tmp_path / "missing.md"), str(article))
    assert code == 2
    assert f"{tmp_path / 'missing.md'}: error: no such file or directory" in err
    assert "Foreign Ministers" in article.read_text()
