"""The package's shape: floors (pyproject's import-linter contract), no import cycles
(module-level and function-level imports alike), no folder over a fifth of the package, no
file over 300 lines."""

import subprocess
import sys
from pathlib import Path

import grimp
import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "ganlab"


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph("ganlab", cache_dir=None)


def test_no_import_runs_up_a_floor():
    # in its own process: import-linter reconfigures logging, which later tests read
    lint = [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports; "
            "sys.exit(lint_imports(config_filename=sys.argv[1], no_cache=True, no_logo=True))",
            str(PACKAGE.parent / "pyproject.toml")]
    done = subprocess.run(lint, capture_output=True, text=True, cwd=PACKAGE.parent)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


def _cycles(graph) -> list[str]:
    return [f"{a} -> {b} -> ... -> {a}" for a in sorted(graph.modules)
            for b in sorted(graph.find_modules_directly_imported_by(a))
            if graph.chain_exists(importer=b, imported=a)]


def test_no_import_cycles(graph):
    assert not _cycles(graph), "\n".join(_cycles(graph))


def test_a_cycle_would_be_seen(graph):
    """The check above can fail: an import from the base back to the runner closes a loop."""
    graph.add_import(importer="ganlab.trust.targets", imported="ganlab.runner.stages")
    try:
        assert "ganlab.trust.targets -> ganlab.runner.stages -> ... -> ganlab.trust.targets" in _cycles(graph)
    finally:
        graph.remove_import(importer="ganlab.trust.targets", imported="ganlab.runner.stages")


def _lines(path: Path) -> int:
    return len(path.read_text().splitlines())


def test_files_and_folders_stay_small():
    files = {p: _lines(p) for p in PACKAGE.rglob("*.py")}
    total = sum(files.values())
    long = {str(p.relative_to(PACKAGE)): n for p, n in files.items() if n > 300}
    assert not long, f"files over 300 lines: {long}"
    for folder in (p for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"):
        share = sum(n for p, n in files.items() if folder in p.parents) / total
        assert share <= 0.20, f"ganlab/{folder.name}/ holds {share:.0%} of the package's lines"
