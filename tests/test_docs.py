"""The README stays a user's guide: short, and pointing at result pages that exist."""

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


def test_readme_result_pages_exist():
    named = set(re.findall(r"docs/results/([a-z0-9_]+\.md)", README.read_text()))
    assert named, "the README names no page under docs/results/"
    missing = sorted(n for n in named if not (ROOT / "docs" / "results" / n).is_file())
    assert not missing, f"README.md names result pages that do not exist: {missing}"
