"""The README stays a user's guide: short, pointing at doc pages that exist; no process words anywhere."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
MAX_README_LINES = 250


def test_readme_is_short():
    lines = README.read_text().splitlines()
    assert len(lines) <= MAX_README_LINES, (
        f"README.md has {len(lines)} lines (at most {MAX_README_LINES}): move findings and tables to docs/results/")


def test_readme_doc_pages_exist():
    named = set(re.findall(r"docs/([a-z0-9_/]+\.md)", README.read_text()))
    assert any(n.startswith("results/") for n in named), "the README names no page under docs/results/"
    missing = sorted(n for n in named if not (ROOT / "docs" / n).is_file())
    assert not missing, f"README.md names doc pages that do not exist: {missing}"


# how the work was organised is no part of the docs, configs or code
PROCESS_WORDS = re.compile(r"\b(issue|stop|ticket) ?#?\d+\b|\bthe issue'?s?\b|\bwork(ing)? session\b", re.I)


def test_no_process_words():
    files = [README, *(ROOT / "docs").rglob("*.md"), *(ROOT / "configs").rglob("*.yaml"),
             *(ROOT / "ganlab").rglob("*.py"), *(ROOT / "scripts").rglob("*.py")]
    found = [f"{path.relative_to(ROOT)}:{n}: {line.strip()}" for path in files
             for n, line in enumerate(path.read_text().splitlines(), 1) if PROCESS_WORDS.search(line)]
    assert not found, "process words in the docs, configs or code:\n" + "\n".join(found)
