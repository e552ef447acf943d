"""The package's shape: no import circle, and a checking wing that never reaches into the
training wing (detector/training/), so a check runs without the training libraries."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "detector"


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


def _imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules `path` imports, at its top or inside functions alike."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("detector"):
            out |= {f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module for a in node.names}
        elif isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
    # the root package is every module's parent and holds only the version and the lazy
    # names of the public API: importing it from below closes no circle
    return {name for name in out if name in modules and name != "detector"}


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index, low, stack, on, groups = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                other = stack.pop()
                on.discard(other)
                group.append(other)
                if other == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_no_module_imports_itself_round_a_circle():
    modules = _modules()
    graph = {name: _imports(path, modules) for name, path in modules.items()}
    assert _circles(graph) == []


def test_the_circle_finder_finds_one():
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_checking_wing_never_imports_the_training_wing():
    modules = _modules()
    reaching = {
        name: sorted(i for i in _imports(path, modules) if i.startswith("detector.training"))
        for name, path in modules.items()
        if not name.startswith("detector.training")
    }
    assert {name: found for name, found in reaching.items() if found} == {}


def test_a_check_in_a_fresh_interpreter_loads_nothing_of_training(tmp_path):
    story = tmp_path / "s.md"
    story.write_text("The Unfamiliar Clergyman spoke at a squeeze meeting. The the end.\n", encoding="utf-8")
    probe = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from detector.cli import main\n"
        f"result = CliRunner().invoke(main, ['check', '--fast', '--no-cache', '--format', 'json', {str(story)!r}])\n"
        "assert result.exit_code == 1 and 'SPUN001' in result.stdout, result.output\n"
        "print(sorted(n for n in sys.modules if n.startswith('detector.training') or n in ('datasets', 'sklearn')))\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "[]"


def test_unspin_lists_what_a_user_runs_and_unspin_dev_the_rest(run_cli):
    from click.testing import CliRunner

    from detector.training.cli import main as dev

    _, out, _ = run_cli("--help")
    listed = {line.split()[0] for line in out.split("Commands:")[1].splitlines() if line.strip()}
    assert listed == {"batch", "check", "config", "fix", "rule", "rules", "serve"}
    result = CliRunner().invoke(dev, ["--help"])
    listed = {line.split()[0] for line in result.output.split("Commands:")[1].splitlines() if line.strip()}
    assert listed == {"calibrate", "data", "eval", "spin", "train"}


def test_every_name_imported_from_the_package_exists():
    # imports inside functions run only when called: a moved name must not wait for that
    import importlib

    modules = _modules()
    missing = []
    for name, path in sorted(modules.items()):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module in modules:
                try:
                    imported = importlib.import_module(node.module)
                except ImportError:  # an optional library (ray, starlette) is missing here
                    continue
                missing += [f"{name}: {node.module}.{a.name}" for a in node.names if not hasattr(imported, a.name) and f"{node.module}.{a.name}" not in modules]
    assert missing == []
