import json

from detector import check_paths, check_text
from detector.config import Config, load_config

from conftest import SPUN_SENTENCE


def test_pyproject_config_is_found_walking_up_and_applied(run_cli, articles):
    (articles.parent / "pyproject.toml").write_text(
        '[project]\nname = "site"\n\n[tool.unspin]\nfail-on = "never"\nexclude = ["spun.md", "spun.html"]\nallow = ["squeeze meeting"]\n'
    )
    code, out, _ = run_cli("check", "--format", "json", str(articles))
    assert code == 0
    files = {f["path"].rsplit("/", 1)[-1]: f["findings"] for f in json.loads(out)["files"]}
    assert sorted(files) == ["clean.txt", "spun.txt"]
    assert [f["text"] for f in files["spun.txt"]] == ["Unfamiliar Clergyman"]


def test_unspin_toml_wins_over_pyproject_in_the_same_folder(run_cli, articles):
    (articles / "pyproject.toml").write_text('[tool.unspin]\nthreshold = 0.1\n')
    (articles / "unspin.toml").write_text('threshold = 0.8\ntables = ["extra.tsv"]\n')
    (articles / "extra.tsv").write_text("second line\tother line\tlocal\n")
    code, out, _ = run_cli("config", str(articles / "spun.txt"))
    assert code == 0
    assert f"threshold = 0.8    # {articles / 'unspin.toml'}" in out
    assert 'fail-on = "error"    # default' in out
    code, out, _ = run_cli("check", "--format", "json", str(articles / "spun.txt"))
    texts = [f["text"] for f in json.loads(out)["files"][0]["findings"]]
    assert "Second line" in texts


def test_command_line_overrides_config_and_says_so(run_cli, articles):
    (articles / "unspin.toml").write_text('threshold = 0.8\n')
    code, out, _ = run_cli("config", "--config", str(articles / "unspin.toml"))
    assert "threshold = 0.8" in out
    config = load_config(articles / "unspin.toml", {"threshold": 0.3})
    assert (config.threshold, config.origin_of("threshold")) == (0.3, "command line")


def test_missing_or_invalid_config_fails_clearly(run_cli, articles, tmp_path):
    code, _, err = run_cli("check", "--config", str(tmp_path / "nope.toml"), str(articles))
    assert code == 2 and err.strip() == f"unspin: error: {tmp_path / 'nope.toml'}: config file not found"
    bad = tmp_path / "bad.toml"
    bad.write_text("threshold = [\n")
    code, _, err = run_cli("check", "--config", str(bad), str(articles))
    assert code == 2 and err.startswith(f"unspin: error: {bad}: invalid TOML") and "Traceback" not in err
    bad.write_text('threshold = "high"\n')
    code, _, err = run_cli("check", "--config", str(bad), str(articles))
    assert code == 2 and "'threshold' must be a number from 0 to 1" in err
    bad.write_text('colour = "red"\n')
    code, _, err = run_cli("check", "--config", str(bad), str(articles))
    assert code == 2 and "unknown key 'colour'" in err


def test_malformed_table_is_reported_and_other_files_still_checked(run_cli, articles, tmp_path):
    table = tmp_path / "broken.tsv"
    table.write_text("only one column\n")
    code, out, err = run_cli("check", "--table", str(table), str(articles / "spun.txt"))
    assert code == 2
    assert f"{table}:1: expected" in err
    assert "Unfamiliar Clergyman" in out


def test_skip_quotes_is_off_by_default():
    quoted = 'He said: "the unfamiliar clergyman is here".'
    assert len(check_text(quoted).findings) == 1
    assert check_text(quoted, config=Config(skip_quotes=True)).findings == []


def test_python_api_returns_the_same_findings_as_the_cli(run_cli, articles):
    [result] = check_paths([articles / "spun.txt"])
    _, out, _ = run_cli("check", "--format", "json", str(articles / "spun.txt"))
    assert [f.to_dict() for f in result.findings] == json.loads(out)["files"][0]["findings"]
    assert check_text(SPUN_SENTENCE).findings[0].text == "Unfamiliar Clergyman"


def test_config_and_rule_show_the_default_threshold_with_its_number(run_cli, tmp_path, monkeypatch):
    from detector import language_model
    from detector.detectors.channel import Calibration
    from detector.model.store import load_settings, shipped_model_dir

    monkeypatch.chdir(tmp_path)
    tagger = load_settings(shipped_model_dir(), int8=True).threshold
    # the language model is not installed here (conftest): the default falls back to the tagger's
    assert run_cli("config")[1].splitlines()[0] == f"threshold = {tagger}    # default: the span tagger's in fast mode, calibrated in {shipped_model_dir().name}"
    monkeypatch.setattr(language_model, "available", lambda cache_dir: True)
    channel = Calibration.shipped().threshold
    assert run_cli("config")[1].splitlines()[0] == f"threshold = {channel}    # default: the language model's reading, calibrated in data/channel.json"
    assert f"Default threshold here: {channel} (the language model's reading" in run_cli("rule", "SPUN001")[1]
    (tmp_path / "unspin.toml").write_text("threshold = 0.6\n", encoding="utf-8")
    assert run_cli("config")[1].splitlines()[0] == f"threshold = 0.6    # {tmp_path / 'unspin.toml'}"
