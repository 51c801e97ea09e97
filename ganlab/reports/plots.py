"""Plots drawn from what a run already wrote (the CSV logger's metrics.csv per stage, the
evaluation's CSVs and metrics.json), as PNGs in <run>/plots/ with their caption stored in
the PNG's "Title" text chunk (the report shows it under the image)."""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

PLOTS = "plots"


def stage_monitors(cfg) -> dict[str, str | None]:
    """Stage name -> the metric its checkpoint monitors, from a run's config."""
    return {name: stage.get("monitor") for name, stage in cfg.method.stages.items()}


def write_plots(run_dir: str | Path, monitors: dict[str, str | None], metrics: dict[str, float]) -> list[Path]:
    """Every plot this run's files and metrics allow; `monitors`: stage name -> the metric it
    monitors. Returns the PNGs written."""
    run_dir = Path(run_dir)
    out = run_dir / PLOTS
    written = []
    for name, monitor in monitors.items():
        log_file = run_dir / "csv" / name / "metrics.csv"
        if log_file.is_file():  # absent when the stage came from the cache or logging was off
            written += training_curves(log_file, name, monitor, out)
    if (run_dir / "table_inversion.csv").is_file():
        written.append(inversion_scores(run_dir / "table_inversion.csv", out))
    if (run_dir / "table_degradations.csv").is_file():
        written.append(scores_per_degradation(run_dir / "table_degradations.csv", out))
    if (run_dir / "label_frequencies.csv").is_file():
        written.append(label_frequencies(run_dir / "label_frequencies.csv", out))
    written += per_label_success(metrics, out)
    return [p for p in written if p is not None]


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def _series(rows: list[dict[str, str]], key: str) -> tuple[list[float], list[float]]:
    """(steps, values) of the rows that logged `key` (Lightning writes one sparse row per log call)."""
    points = [(float(r["step"]), float(r[key])) for r in rows if r.get(key) not in (None, "")]
    points = [(s, v) for s, v in points if math.isfinite(v)]
    return [s for s, _ in points], [v for _, v in points]


def _pick(rows: list[dict[str, str]], keys: list[str], prefix: str) -> list[str]:
    """One series per metric under `prefix`: per step where it has at least two points, else
    per epoch (Lightning writes NAME_step / NAME_epoch for a value logged both ways)."""
    bases = sorted({k.removesuffix("_step").removesuffix("_epoch") for k in keys if k.startswith(prefix)})
    picked = []
    for base in bases:
        options = [k for k in (base, f"{base}_step", f"{base}_epoch") if k in keys and _series(rows, k)[0]]
        dense = [k for k in options if len(_series(rows, k)[0]) >= 2]
        if dense or options:
            picked.append((dense or options)[0])
    return picked


def training_curves(log_file: Path, stage: str, monitor: str | None, out: Path) -> list[Path]:
    """One figure per stage: the training metrics (losses) against step, then the
    validation metrics (the monitored one drawn thick and named in the caption)."""
    rows = read_rows(log_file)
    keys = [k for k in (rows[0].keys() if rows else []) if k not in ("step", "epoch")]
    panels = [(title, names) for title, names in (("training", _pick(rows, keys, "train/")),
                                                  ("validation", _pick(rows, keys, "val/"))) if names]
    if not panels:
        return []
    fig, axes = plt.subplots(1, len(panels), figsize=(6 * len(panels), 3.8), squeeze=False)
    for ax, (title, names) in zip(axes[0], panels):
        for key in names:
            steps, values = _series(rows, key)
            thick = key == monitor
            ax.plot(steps, values, marker="o" if len(steps) < 30 else None, ms=3, lw=2.5 if thick else 1.2,
                    label=f"{key} (monitored)" if thick else key)
        ax.set_xlabel("step")
        ax.set_title(title)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    caption = f"Stage {stage}: training losses / metrics and validation metrics against step" + (
        f"; the checkpoint monitors {monitor}" if monitor else "")
    return [_save(fig, out / f"training_{stage}.png", caption)]


def inversion_scores(table: Path, out: Path) -> Path:
    """PSNR and LPIPS per inversion method on each domain (clean source, degraded target)."""
    rows = read_rows(table)
    names = [r["Method"] for r in rows]
    colors = ["tab:blue" if n.endswith("(src)") else "tab:orange" for n in names]
    fig = _bar_panels(names, rows, (("PSNR", "higher"), ("LPIPS", "lower")), colors, (10, 3.6))
    return _save(fig, out / "inversion_scores.png",
                 "Inversion quality per method: blue = clean input (src), orange = degraded input (trg); "
                 "both scored against the clean image")


def scores_per_degradation(table: Path, out: Path) -> Path:
    """The encoder's PSNR and SSIM on the clean test images degraded by each kind alone."""
    rows = read_rows(table)
    names = [r["degradation"] for r in rows]
    fig = _bar_panels(names, rows, (("psnr", "higher"), ("ssim", "higher")), "tab:orange", (9, 0.5 * len(rows) + 2))
    return _save(fig, out / "inversion_per_degradation.png",
                 "The trained encoder on the test images degraded by each kind alone, scored against the clean "
                 "image (PSNR: mean of per-image PSNR)")


def _bar_panels(names: list[str], rows: list[dict[str, str]], metrics, color, size):
    """One horizontal bar panel per (column, which way is better), a bar per row."""
    fig, axes = plt.subplots(1, len(metrics), figsize=size, squeeze=False)
    for ax, (metric, better) in zip(axes[0], metrics):
        ax.barh(names, [float(r[metric]) for r in rows], color=color)
        ax.invert_yaxis()
        ax.set_xlabel(f"{metric.upper()} ({better} is better)")
        ax.grid(axis="x", alpha=0.3)
    return fig


def label_frequencies(table: Path, out: Path) -> Path:
    """How often each label occurs in the data, by the classifier on real images, and among samples."""
    rows = read_rows(table)
    fig, ax = plt.subplots(figsize=(max(5.0, 0.6 * len(rows) + 2), 3.6))
    width = 0.27
    for k, (key, name) in enumerate((("data", "data"), ("classifier_on_real", "classifier on real"),
                                     ("samples", "classifier on samples"))):
        ax.bar([i + (k - 1) * width for i in range(len(rows))], [float(r[key]) for r in rows], width, label=name)
    ax.set_xticks(range(len(rows)), [r["label"] for r in rows])
    if len(rows) > 8:
        plt.setp(ax.get_xticklabels(), rotation=45, ha="right")
    ax.set_ylabel("frequency")
    ax.legend(fontsize=8, frameon=False)
    return _save(fig, out / "label_frequencies.png",
                 "Label frequencies: the data against the generator's samples (a missing bar: a label never generated)")


def per_label_success(metrics: dict[str, float], out: Path) -> list[Path]:
    """Edit success per label, editor or domain (test/edit_success_<name>), where the run reports it."""
    pattern = re.compile(r"^test/edit_success_(?!min$|all$)([^/]+)$")
    found = {m.group(1): v for k, v in metrics.items() if (m := pattern.match(k))}
    if not found:
        return []
    fig, ax = plt.subplots(figsize=(max(5.0, 0.5 * len(found) + 2), 3.4))
    ax.bar(list(found), list(found.values()), color="tab:green")
    if "test/edit_success" in metrics:
        ax.axhline(metrics["test/edit_success"], color="k", lw=1, ls="--", label="mean")
        ax.legend(fontsize=8, frameon=False)
    ax.set_ylim(0, 1)
    ax.set_ylabel("edit success")
    if len(found) > 6:
        plt.setp(ax.get_xticklabels(), rotation=45, ha="right")
    return [_save(fig, out / "edit_success.png", "Edit success per breakdown the run reports (target label, or "
                  "editor / attribute / domain): the share of edits the classifier judges reached")]


def _save(fig, path: Path, caption: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=100, metadata={"Title": caption})
    plt.close(fig)
    return path
