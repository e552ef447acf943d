"""The GitHub Action (action.yml) and the README's pre-commit example, run for real.

The action's steps are run as a runner would run a composite action: its `run` scripts
in bash with the inputs passed through each step's environment, `$GITHUB_ACTION_PATH`,
`$RUNNER_TEMP` and `$GITHUB_OUTPUT`; its install step into a virtual environment of its
own. Of the steps that use other actions, setup-python is checked to ask for the Python
the tests run on, and upload-sarif to be handed a SARIF file that validates.
"""

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import CLEAN_SENTENCE, SPUN_SENTENCE
from test_cli import SARIF_SCHEMA

ROOT = Path(__file__).resolve().parent.parent
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


class Runner:
    """Runs action.yml's steps with given inputs; records outputs and what the used actions got."""

    def __init__(self, action: dict, inputs: dict, env: dict, work: Path):
        self.action = action
        self.inputs = {name: spec.get("default", "") for name, spec in action["inputs"].items()}
        unknown = set(inputs) - set(self.inputs)
        assert not unknown, f"not inputs of the action: {unknown}"
        self.inputs.update(inputs)
        self.env, self.work = env, work
        self.outputs: dict[str, dict] = {}
        self.used: list[tuple[str, dict]] = []
        self.log: list[subprocess.CompletedProcess] = []

    def value(self, expression: str) -> str:
        scope, _, rest = expression.partition(".")
        if scope == "inputs":
            return self.inputs[rest]
        if scope == "steps":
            step, kind, name = rest.split(".")
            assert kind == "outputs"
            return self.outputs.get(step, {}).get(name, "")
        raise AssertionError(f"expression the test runner does not know: {expression}")

    def substitute(self, text: str) -> str:
        return EXPRESSION.sub(lambda m: self.value(m.group(1)), str(text))

    def condition(self, expression: str) -> bool:
        match = re.fullmatch(r"(\S+) == '([^']*)'", expression.strip())
        assert match, f"condition the test runner does not know: {expression}"
        return self.value(match.group(1)) == match.group(2)

    def run(self) -> int:
        """Runs the steps in order; returns the exit status of the first failing run step, or 0."""
        for step in self.action["runs"]["steps"]:
            if "if" in step and not self.condition(step["if"]):
                continue
            if "uses" in step:
                self.used.append((step["uses"], {k: self.substitute(v) for k, v in step.get("with", {}).items()}))
                continue
            assert "${{" not in step["run"], "inputs reach scripts through env, never pasted into them"
            assert step["shell"] == "bash"
            output = self.work / f"output-{len(self.log)}"
            output.write_text("")
            env = {**self.env, "GITHUB_ACTION_PATH": str(ROOT), "RUNNER_TEMP": str(self.work), "GITHUB_OUTPUT": str(output)}
            env.update({k: self.substitute(v) for k, v in step.get("env", {}).items()})
            done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]], env=env, cwd=self.work / "repo", capture_output=True, text=True, timeout=600)
            self.log.append(done)
            if "id" in step:
                self.outputs[step["id"]] = dict(line.split("=", 1) for line in output.read_text().splitlines() if line)
            if done.returncode:
                return done.returncode
        return 0


@pytest.fixture(scope="module")
def action_env(tmp_path_factory):
    """A virtual environment where the action's install step puts unspin. It sees the test
    environment's packages (so the step installs unspin itself, from this checkout, without
    downloading torch again) but not the editable unspin, which it must install from scratch."""
    venv = tmp_path_factory.mktemp("action-venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next((venv / "lib").glob("python3*/site-packages"))
    (site / "test-environment.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    # The build backend comes from the test environment too, not from an index.
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{env['PATH']}", VIRTUAL_ENV=str(venv), PIP_NO_BUILD_ISOLATION="0", PIP_NO_INDEX="1")
    return env, venv


@pytest.fixture
def workspace(tmp_path):
    repo = tmp_path / "repo"
    (repo / "docs").mkdir(parents=True)
    (repo / "docs" / "spun.md").write_text(f"# News\n\n{SPUN_SENTENCE}\n", encoding="utf-8")
    (repo / "docs" / "clean.md").write_text(f"# News\n\n{CLEAN_SENTENCE}\n", encoding="utf-8")
    return tmp_path


def load_action() -> dict:
    return yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))


def test_action_annotates_fails_and_uploads_sarif(action_env, workspace):
    env, venv = action_env
    runner = Runner(load_action(), {"paths": "docs", "sarif": "true", "args": "--no-model"}, env, workspace)
    status = runner.run()

    assert runner.log[0].returncode == 0, runner.log[0].stderr
    install, sarif_step, check = runner.log
    unspin = venv / "bin" / "unspin"
    assert unspin.exists()
    origin = subprocess.run([str(venv / "bin" / "python"), "-c", "import detector; print(detector.__file__)"], env=env, cwd=workspace, capture_output=True, text=True, check=True).stdout
    assert origin.startswith(str(venv)), "the action's own install is the one that ran"

    assert status == 1 and check.returncode == 1  # a spun phrase fails the step at the default error level
    annotations = check.stdout.splitlines()
    assert annotations and all(line.startswith("::") for line in annotations)
    assert any(line.startswith("::error file=docs/spun.md,line=3,") and "squeeze meeting" in line for line in annotations)
    assert not any("clean.md" in line for line in annotations)

    (setup, setup_with), (upload, upload_with) = runner.used
    assert setup.startswith("actions/setup-python@") and setup_with["python-version"] == f"{sys.version_info.major}.{sys.version_info.minor}"
    assert upload.startswith("github/codeql-action/upload-sarif@")
    report = yaml.safe_load(Path(upload_with["sarif_file"]).read_text(encoding="utf-8"))
    jsonschema.validate(report, SARIF_SCHEMA)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in report["runs"][0]["results"]}
    assert uris == {"docs/spun.md"}


def test_action_passes_on_clean_text_and_keeps_inputs_out_of_the_shell(action_env, workspace):
    env, _ = action_env
    marker = workspace / "injected"
    runner = Runner(load_action(), {"paths": "docs/clean.md", "args": f"--no-model $(touch {marker})"}, env, workspace)
    status = runner.run()
    assert not marker.exists()
    # the option is split on spaces, not run: unspin sees "$(touch" as a path it cannot read
    assert status == 2 and "$(touch" in runner.log[-1].stderr
    runner = Runner(load_action(), {"paths": "docs/clean.md", "args": "--no-model"}, env, workspace)
    assert runner.run() == 0 and runner.log[-1].stdout == ""
    assert len(runner.log) == 2 and runner.used[1:] == []  # no SARIF unless asked


def readme_block(heading: str) -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split(f"### {heading}\n", 1)[1]
    return re.search(r"```yaml\n(.*?)```", section, re.S).group(1)


@pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")
def test_readme_pre_commit_example_works_as_written(workspace, tmp_path):
    repo = workspace / "repo"
    (repo / ".pre-commit-config.yaml").write_text(readme_block("Pre-commit"), encoding="utf-8")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}", "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}

    def git(*args):
        return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True)

    git("init", "-q")
    git("add", ".")
    hook = [sys.executable, "-m", "pre_commit", "run", "--files"]
    spun = subprocess.run([*hook, "docs/spun.md"], cwd=repo, env=env, capture_output=True, text=True, timeout=300)
    assert spun.returncode == 1, spun.stdout + spun.stderr
    assert "squeeze meeting" in spun.stdout and "Failed" in spun.stdout
    clean = subprocess.run([*hook, "docs/clean.md"], cwd=repo, env=env, capture_output=True, text=True, timeout=300)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Passed" in clean.stdout
