"""The README's worked example of extending ganlab, executed as a reader would follow it.

README convention: a paragraph ending in "in `PATH`:" right before a fenced block means "put
this block in PATH (relative to the repository root)"; a paragraph "Run it:" before a fenced
block marks the command to run from the root; the paragraph after that block names, in
backticks, the `test/...` metric keys the run must produce."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARKED_BLOCK = re.compile(r"(in\s`(?P<path>[^`\n]+)`|^Run it):\n\n```[a-z]*\n(?P<body>[\s\S]*?)```\n\n?"
                          r"(?=(?P<after>(?:(?!```)[^\n]+\n)*))",   # after: read, not consumed
                          re.M)
# what the walkthrough's run needs from the repository; run outputs and caches stay behind
COPIED = ("ganlab", "configs", "train.py", "eval.py")


def walkthrough(readme: str) -> tuple[dict[str, str], str, list[str]]:
    """(files by path, the command, the metric keys it must produce) from the README."""
    files, commands, expected = {}, [], []
    for match in MARKED_BLOCK.finditer(readme):
        if match["path"]:
            files[match["path"]] = match["body"]
        else:
            commands.append(match["body"].strip())
            expected = re.findall(r"`(test/[^`]+)`", match["after"])
    assert len(commands) == 1, f"the README's walkthrough must have one \"Run it:\" block, found {commands}"
    return files, commands[0], expected


def test_walkthrough_parser_reads_files_command_and_keys():
    readme = ("A file, in `a/b.py`:\n\n```python\nx = 1\n```\n\nSee `c.py`. Another, in\n`d.yaml`:\n\n"
              "```yaml\ny: 2\n```\n\nRun it:\n\n```bash\npython train.py\n```\n"
              "It gives `test/a` and\n`test/b`.\n\nNot `test/c`.\n")
    files = {"a/b.py": "x = 1\n", "d.yaml": "y: 2\n"}
    assert walkthrough(readme) == (files, "python train.py", ["test/a", "test/b"])


def test_readme_walkthrough_runs(tmp_path):
    files, command, expected = walkthrough((ROOT / "README.md").read_text())
    assert files and expected, "the walkthrough names no files or no metric keys"
    assert command.startswith("python train.py "), command
    repo = tmp_path / "repo"
    for name in COPIED:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, repo / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, repo / name)
    for path, body in files.items():
        target = repo / path
        assert not target.exists(), f"the walkthrough's {path} already exists in the repository"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(body)
    env = {k: v for k, v in os.environ.items() if k not in ("GANLAB_ROOT", "GANLAB_CACHE", "PYTHONPATH")}
    env.update(GANLAB_CACHE=str(tmp_path / "cache"), WANDB_MODE="offline")
    args = command.split()[1:] + [f"paths.log_dir={tmp_path / 'outputs'}", "callbacks.progress_bar=null"]
    done = subprocess.run([sys.executable, *args], cwd=repo, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    runs = list((tmp_path / "outputs" / "train" / "runs").iterdir())
    assert len(runs) == 1, runs
    metrics = json.loads((runs[0] / "metrics.json").read_text())
    missing = [key for key in expected if key not in metrics]
    assert not missing, f"the walkthrough's run lacks {missing}; it has {sorted(metrics)}"
    shares = {key: metrics[key] for key in expected if "target_change" in key}
    assert all(0.0 <= v <= 1.0 for v in shares.values()), shares
