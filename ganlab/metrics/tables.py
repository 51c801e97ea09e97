"""Result tables as markdown (printed and saved) and CSV."""

from __future__ import annotations

import csv
import statistics
from pathlib import Path


def cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1e4 else f"{value:.0f}"
    return str(value)


def markdown_table(headers: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def write_csv(path: str | Path, headers: list[str], rows: list[list]) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(headers)
        writer.writerows(rows)


def write_records(rows: list[dict], folder: str | Path, stem: str, note: str) -> None:
    """rows as dicts (a key missing from a row is a blank cell) -> <stem>.csv and <stem>.md,
    the note above the table."""
    folder = Path(folder)
    headers = list(dict.fromkeys(k for r in rows for k in r))
    table = [[r.get(k, "") for k in headers] for r in rows]
    write_csv(folder / f"{stem}.csv", headers, table)
    (folder / f"{stem}.md").write_text(f"{note}\n\n{markdown_table(headers, table)}\n")


def mean_std(values: list[float]) -> str:
    """A cell of several runs' values: 'mean ± std' (sample std), the value alone for one run,
    blank for none."""
    if not values:
        return ""
    if len(values) == 1:
        return f"{values[0]:.4g}"
    return f"{statistics.mean(values):.4g} ± {statistics.stdev(values):.2g}"
