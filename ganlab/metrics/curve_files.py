"""Curves an evaluation draws, also kept as data: curves/<name>.csv in long form, one row per
point, columns panel, series, x, then the measured values. Loggers draw them again as line
plots (ganlab/loggers/wandb_results.py)."""

from __future__ import annotations

import csv
from pathlib import Path

from ganlab.metrics.tables import write_csv

FOLDER = "curves"


def write_curves_csv(out_dir: Path, name: str, x: str, points: list[dict], panel: str, series: str) -> Path:
    """points: dicts holding `panel`, `series`, `x` and the values; written as
    out_dir/curves/<name>.csv with the columns panel, series, x, values."""
    values = list(dict.fromkeys(k for p in points for k in p if k not in (panel, series, x)))
    path = Path(out_dir) / FOLDER / f"{name}.csv"
    write_csv(path, ["panel", "series", x, *values],
              [[p[panel], p[series], p[x], *[p.get(v, "") for v in values]] for p in points])
    return path


def read_curves_csv(path: Path) -> tuple[str, list[str], dict]:
    """(x name, value names, {panel: {series: [(x, {value: y})]}}) of a curves file."""
    with Path(path).open(newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    if header[:2] != ["panel", "series"] or len(header) < 4:
        raise ValueError(f"{path}: not a curves file (columns panel, series, x, values...; got {header})")
    x, values = header[2], header[3:]
    curves: dict = {}
    for row in body:
        ys = {v: float(c) for v, c in zip(values, row[3:]) if c != ""}
        curves.setdefault(row[0], {}).setdefault(row[1], []).append((float(row[2]), ys))
    return x, values, curves
