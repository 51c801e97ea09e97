"""What every recipe's run folder must hold for a reader: each PNG says what it shows (grids
their title and labels, plots a caption) and report.html carries each of them. The reports
checked are also opened in headless Chromium, all in one browser start at the end of the
test session (conftest's _reports_in_browser): each must show every image and table."""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

from ganlab.reports.grid import grid_labels
from ganlab.reports.html import image_caption
from ganlab.reports.run_page import grids, plots

LOGGER_FOLDERS = {"wandb", "tensorboard"}
TO_RENDER: dict[Path, int] = {}  # report.html -> how many images it embeds


def check_run_report(run_dir: Path) -> None:
    pngs = [p for p in run_dir.rglob("*.png") if not LOGGER_FOLDERS & set(p.relative_to(run_dir).parts)]
    for path in pngs:
        if path.relative_to(run_dir).parts[0] == "samples":
            labels = grid_labels(path)  # raises for a grid drawn without the labelling helper
            assert labels["title"].strip(), path
            if path.parent.name == "eval" and path.name != "samples.png":  # plain sample grids: one kind of cell
                assert labels["columns"] or labels["rows"], f"{path}: no column headers or row labels"
        else:
            assert image_caption(path), f"{path}: a plot without a caption"
    page = (run_dir / "report.html").read_text()
    embedded = [base64.b64decode(s) for s in re.findall(r"src='data:image/png;base64,([^']+)'", page)]
    shown = grids(run_dir) + plots(run_dir)
    assert len(embedded) == len(shown) and {p.read_bytes() for p in shown} == set(embedded), run_dir
    for path in shown:  # every caption is on the page
        assert html.escape(image_caption(path) or "") in page, path
    assert ">Headline metrics</h2>" in page and ">Command</h2>" in page
    TO_RENDER[run_dir / "report.html"] = len(embedded)


def rendering_problems(seen: dict[Path, dict]) -> list[str]:
    """What the browser probe found wrong with each page: failed loads, images that did not
    decode, images missing, empty tables."""
    problems = []
    for page, expected in TO_RENDER.items():
        shown = seen[page]
        sizes = shown["images"]
        if shown["failed"] or len(sizes) != expected or not all(w > 0 and h > 0 for w, h in sizes) or not all(
                shown["tables"]):
            problems.append(f"{page}: failed loads {shown['failed']}, image sizes {sizes} (expected {expected} "
                            f"images), table rows {shown['tables']}")
    return problems
