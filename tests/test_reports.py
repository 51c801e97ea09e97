"""Reports a person reads: labelled grids, plots from the logged CSVs, a run's report.html
and a sweep's, opened in headless Chromium (the sweep: conftest's icgan_multirun, two
debug=fdr seeds and one failed run)."""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from pytorch_lightning.loggers import CSVLogger

from ganlab.reports.grid import Grid, grid_labels, save_grid
from ganlab.reports.html import image_caption
from ganlab.reports.plots import write_plots
from ganlab.reports.run_groups import group_table
from ganlab.reports.timings import stage_timings

from .browser import probe, screenshot
from .conftest import run_script
from .report_checks import check_run_report


def test_grid_draws_labels_around_upscaled_cells(tmp_path):
    images = torch.linspace(-1, 1, 4).view(4, 1, 1, 1).expand(4, 1, 32, 32)
    bare = save_grid(Grid(images, 2), tmp_path / "bare.png", "four grey levels")
    labelled = save_grid(Grid(images, 2, ["clean input", "degraded input"], ["row one", "row two"]),
                         tmp_path / "labelled.png", "four grey levels")
    assert labelled.shape[1] > bare.shape[1] and labelled.shape[2] > bare.shape[2]  # header above, labels left
    assert grid_labels(tmp_path / "labelled.png") == {"title": "four grey levels", "rows": ["row one", "row two"],
                                                      "columns": ["clean input", "degraded input"]}
    pixels = np.asarray(Image.open(tmp_path / "bare.png").convert("L"))
    assert pixels.shape[1] >= 2 * 96  # 32 px cells upscaled (nearest) to 96 px
    bottom_right = pixels[-2 - 96 : -2, -2 - 96 : -2]  # the last cell (2 px padding): images[3] = white
    assert (bottom_right == 255).all() and (pixels[-96 - 2 - 48, -96 - 2 - 48] == 0)  # images[0]: black
    with pytest.raises(ValueError, match="3 column headers for 2 columns"):
        save_grid(Grid(images, 2, ["a", "b", "c"]), tmp_path / "bad.png", "t")
    with pytest.raises(ValueError, match="needs a title"):
        save_grid(Grid(images, 2), tmp_path / "bad.png", "")


def test_training_curves_from_the_csv_logger(tmp_path):
    logger = CSVLogger(save_dir=str(tmp_path), name="csv", version="gan")
    for step in range(5):
        logger.log_metrics({"train/loss_g_step": 1.0 / (step + 1), "train/loss_d_step": 0.5}, step=step)
    logger.log_metrics({"val/fid": 40.0, "train/loss_g_epoch": 0.4}, step=4)
    logger.save()
    written = write_plots(tmp_path, {"gan": "val/fid", "cached_stage": "val/loss"}, {})
    assert written == [tmp_path / "plots" / "training_gan.png"]  # the cached stage logged nothing
    assert "monitors val/fid" in image_caption(written[0])


def test_groups_average_over_seeds():
    runs = [{"overrides": ["lr=1", "seed=1"], "metrics": {"m": 1.0}},
            {"overrides": ["lr=1", "seed=2"], "metrics": {"m": 3.0}},
            {"overrides": ["lr=2", "seed=1"], "metrics": {"m": 5.0}}]
    headers, rows = group_table(runs, ["m"])
    assert rows == [["lr=1", 2, "2 ± 1.4"], ["lr=2", 1, "5"]]


def test_run_folder_report(icgan_multirun):
    run, stdout = icgan_multirun.folder / "0", icgan_multirun.stdout
    check_run_report(run)
    assert f"report: {(run / 'report.html').resolve()}" in stdout
    page = (run / "report.html").read_text()
    assert "Stages cgan → encoders; data DigitsDataModule (32 px)" in page
    assert html.escape("python train.py +experiment=icgan debug=fdr seed=1") in page
    timings = {r["what"]: r["seconds"] for r in stage_timings(run)}
    assert {"stage cgan", "stage encoders", "evaluation", "whole run"} <= set(timings)
    assert all(s is not None and s >= 0 for s in timings.values()), timings
    assert timings["whole run"] >= timings["stage cgan"] + timings["stage encoders"]


def test_run_report_in_a_browser(icgan_multirun, tmp_path):
    run = icgan_multirun.folder / "0"
    seen = probe(run / "report.html", tmp_path / "profile")
    assert seen["failed"] == []
    assert len(seen["images"]) >= 5 and all(w > 0 and h > 0 for w, h in seen["images"]), seen["images"]
    assert seen["tables"] and all(rows > 0 for rows in seen["tables"]), seen["tables"]
    assert {"Command", "Headline metrics", "Grids", "Time per stage", "Config"} <= set(seen["headings"])
    assert any(c.startswith("IcGAN edits") for c in seen["captions"]), seen["captions"]
    _not_blank(screenshot(run / "report.html", tmp_path / "run.png", tmp_path / "profile"))


def test_sweep_report_in_a_browser(icgan_multirun, tmp_path):
    folder = icgan_multirun.folder
    done = run_script("collect.py", str(folder))
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert f"report: {(folder / 'report.html').resolve()}" in out and "failed runs (1, no metrics.json)" in out
    page = (folder / "report.html").read_text()
    assert html.escape("data.batch_size must be >= 1, got 0") in page  # the failed run's last error
    seen = probe(folder / "report.html", tmp_path / "profile")
    assert seen["failed"] == []
    assert len(seen["images"]) == 2 * 3 and all(w > 0 and h > 0 for w, h in seen["images"])  # 3 grids per run
    assert seen["tables"] == [1, 2, 1]  # one group (seeds 1 and 2), every finished run, the failed run
    assert "Failed runs" in seen["headings"]
    _not_blank(screenshot(folder / "report.html", tmp_path / "sweep.png", tmp_path / "profile"))


def test_the_browser_probe_sees_missing_images(icgan_multirun, tmp_path):
    """The sweep report links its runs' grids: moved away from them, every image is missing."""
    assert run_script("collect.py", str(icgan_multirun.folder)).returncode == 0
    moved = tmp_path / "elsewhere" / "report.html"
    moved.parent.mkdir()
    moved.write_text((icgan_multirun.folder / "report.html").read_text())
    seen = probe(moved, tmp_path / "profile")
    assert len(seen["failed"]) == 6 and all(w == 0 for w, _ in seen["images"]), seen


def _not_blank(png: Path) -> None:
    pixels = np.asarray(Image.open(png).convert("L"))
    assert pixels.std() > 10 and len(np.unique(pixels)) > 20, png
