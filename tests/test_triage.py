"""Triage that editors control: inline suppressions in every format, --select and
--ignore, baselines, and the rule catalogue (`unspin rules`, `unspin rule CODE`)."""

import json
import os

import pytest

from conftest import findings_of

# Two table findings (SPUN001) and one doubled word (QUAL008) on one line.
LINE = "The squeeze meeting was the the polite war"


def rules_found(run_cli, path, *options):
    code, out, err = run_cli("check", "--format", "json", "--no-cache", *options, str(path))
    assert code in (0, 1), err
    return sorted((f["rule"], f["text"]) for f in findings_of(out)[str(path)])


ALL = [("QUAL008", "the the"), ("SPUN001", "polite war"), ("SPUN001", "squeeze meeting")]


@pytest.mark.parametrize("suffix", ["txt", "md", "html"])
@pytest.mark.parametrize(
    "directive, left",
    [
        ("unspin: ignore-line", []),
        ("unspin: ignore-line SPUN001", [("QUAL008", "the the")]),
        ("unspin: ignore QUAL008, SPUN001", []),
        ("unspin: ignore QUAL", [("SPUN001", "polite war"), ("SPUN001", "squeeze meeting")]),
    ],
)
def test_line_directives_work_in_every_format(run_cli, tmp_path, suffix, directive, left):
    wrap = {"txt": "{}\n", "md": "# Notes\n\n{}\n", "html": "<p>{}</p>\n"}[suffix]
    path = tmp_path / f"a.{suffix}"
    path.write_text(wrap.format(f"{LINE} ({directive})") + wrap.format(LINE), encoding="utf-8")
    found = rules_found(run_cli, path)
    # the second, undirected line keeps all three findings
    assert found == sorted(left + ALL)


@pytest.mark.parametrize("suffix", ["md", "html"])
def test_block_and_range_comments(run_cli, tmp_path, suffix):
    para = {"md": "{}\n\n", "html": "<p>{}</p>\n"}[suffix]
    comment = "<!-- unspin: {} -->\n" + ("\n" if suffix == "md" else "")
    text = (
        comment.format("ignore SPUN001") + para.format("One squeeze meeting and the the end.")
        + para.format("Two squeeze meeting.")
        + comment.format("off") + para.format("Three squeeze meeting.") + para.format("Four polite war.") + comment.format("on")
        + para.format("Five polite war.")
        + comment.format("ignore") + para.format("Six the the squeeze meeting.")
        + comment.format("off") + para.format("Seven polite war.")
    )
    path = tmp_path / f"a.{suffix}"
    path.write_text(text, encoding="utf-8")
    code, out, _ = run_cli("check", "--format", "json", "--no-cache", str(path))
    found = [(f["rule"], f["text"], f["line"]) for f in findings_of(out)[str(path)]]
    lines = text.splitlines()
    said = [(rule, text, lines[line - 1].split()[0].lstrip("<p>")) for rule, text, line in found]
    assert said == [("QUAL008", "the the", "One"), ("SPUN001", "squeeze meeting", "Two"), ("SPUN001", "polite war", "Five")]


def test_select_and_ignore_take_codes_and_prefixes(run_cli, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(LINE + "\n", encoding="utf-8")
    assert rules_found(run_cli, path, "--select", "QUAL") == [("QUAL008", "the the")]
    assert rules_found(run_cli, path, "--select", "SPUN001,QUAL008", "--ignore", "qual008") == ALL[1:]
    assert rules_found(run_cli, path, "--ignore", "SPUN") == [("QUAL008", "the the")]
    (tmp_path / "unspin.toml").write_text('select = ["SPUN001"]\n', encoding="utf-8")
    assert rules_found(run_cli, path) == ALL[1:]


def test_unknown_rule_codes_are_one_line_errors(run_cli, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(LINE + "\n", encoding="utf-8")
    code, out, err = run_cli("check", "--ignore", "SPUN999", str(path))
    assert code == 2 and out == "" and err.strip().splitlines() == ["unspin: error: command line: 'disable': unknown rule code 'SPUN999' (unspin rules lists them)"]
    (tmp_path / "unspin.toml").write_text('disable = ["QUAL8"]\n', encoding="utf-8")
    code, _, err = run_cli("check", str(path))
    assert code == 2 and "unspin.toml: 'disable': unknown rule code 'QUAL8'" in err and "Traceback" not in err


def test_rules_lists_the_catalogue_and_rule_explains_one(run_cli):
    from detector.rules import all_rules

    code, out, _ = run_cli("rules")
    assert code == 0 and [line.split()[0] for line in out.splitlines()] == [r.code for r in all_rules()]
    assert "safe fix" in next(line for line in out.splitlines() if line.startswith("QUAL002"))
    code, out, _ = run_cli("rule", "spun001")
    assert code == 0 and out.startswith("SPUN001 spun-phrase [error; unsafe fix]")
    assert "Example:" in out and "--unsafe-fixes" in out
    code, out, _ = run_cli("rule", "QUAL008")
    assert "had had" in out  # the rule module's docstring
    code, _, err = run_cli("rule", "NOPE001")
    assert code == 2 and "unknown rule code 'NOPE001'" in err


def test_sarif_rules_carry_the_explanations(run_cli, tmp_path):
    path = tmp_path / "a.txt"
    path.write_text(LINE + "\n", encoding="utf-8")
    _, out, _ = run_cli("check", "--format", "sarif", str(path))
    rules = {r["id"]: r for r in json.loads(out)["runs"][0]["tool"]["driver"]["rules"]}
    assert "thesaurus" in rules["SPUN001"]["fullDescription"]["text"]


def article(tmp_path, name="news.md"):
    folder = tmp_path / "site"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text("# News\n\nThe squeeze meeting ran late.\n\nLater the polite war began.\n", encoding="utf-8")
    return path


def test_a_baseline_hides_known_findings_and_shows_new_ones(run_cli, tmp_path, monkeypatch):
    path = article(tmp_path)
    monkeypatch.chdir(tmp_path)
    baseline = tmp_path / "unspin-baseline.json"
    code, out, err = run_cli("check", "--no-cache", "--write-baseline", str(baseline), "site")
    assert code == 0 and out == "" and "recorded 2 findings" in err
    recorded = json.loads(baseline.read_text(encoding="utf-8"))
    assert {(e["path"], e["text"]) for e in recorded["findings"]} == {("site/news.md", "squeeze meeting"), ("site/news.md", "polite war")}
    assert os.stat(baseline).st_mode & 0o777 == 0o666 & ~current_umask()

    code, out, _ = run_cli("check", "--no-cache", "--baseline", str(baseline), "site")
    assert code == 0 and out.strip() == "0 findings in 1 file, 11 words; 2 known from the baseline not shown"

    # unrelated edits: a new paragraph above, CRLF line endings; then a new spun phrase
    text = path.read_text(encoding="utf-8").replace("# News\n", "# News\n\nAn intro line.\n")
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    code, out, _ = run_cli("check", "--no-cache", "--format", "json", "--baseline", str(baseline), "site")
    assert code == 0 and json.loads(out)["summary"]["baselined"] == 2
    path.write_text(text + "\nAnother squeeze meeting was held.\n", encoding="utf-8")
    code, out, _ = run_cli("check", "--no-cache", "--format", "json", "--baseline", str(baseline), "site")
    report = json.loads(out)
    assert code == 1 and [f["text"] for f in report["files"][0]["findings"]] == ["squeeze meeting"]
    assert report["files"][0]["findings"][0]["line"] == 9

    # the same phrase reworded around it is a new finding
    path.write_text(text.replace("ran late", "went on for hours"), encoding="utf-8")
    code, out, _ = run_cli("check", "--no-cache", "--format", "json", "--baseline", str(baseline), "site")
    assert [f["text"] for f in json.loads(out)["files"][0]["findings"]] == ["squeeze meeting"]


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_baseline_works_from_another_folder_and_with_jobs(run_cli, tmp_path, monkeypatch):
    article(tmp_path)
    article(tmp_path, "other.html").write_text("<p>The squeeze meeting ran late.</p>", encoding="utf-8")
    baseline = tmp_path / "site" / "baseline.json"
    monkeypatch.chdir(tmp_path)
    assert run_cli("check", "--no-cache", "--write-baseline", str(baseline), "site")[0] == 0
    monkeypatch.chdir(tmp_path / "site")
    code, out, _ = run_cli("check", "--no-cache", "--jobs", "2", "--format", "json", "--baseline", "baseline.json", ".")
    assert code == 0 and json.loads(out)["summary"]["baselined"] == 3


@pytest.mark.parametrize("content, reason", [(None, "baseline file not found"), ("{", "not a baseline file"), ('{"version": 9, "findings": []}', "not a baseline file")])
def test_a_bad_baseline_is_one_line_exit_2(run_cli, tmp_path, content, reason):
    path = article(tmp_path)
    baseline = tmp_path / "b.json"
    if content is not None:
        baseline.write_text(content, encoding="utf-8")
    code, out, err = run_cli("check", "--baseline", str(baseline), str(path))
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert err.startswith(f"unspin: error: {baseline}: {reason}")
