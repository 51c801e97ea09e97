"""How often each label (attribute or class) occurs among generated samples, as judged by an
independent classifier, next to its frequency in the data: a GAN that drops rare attributes
(mode dropping) shows it here. Written as a markdown and a CSV table."""

from __future__ import annotations

import csv
from pathlib import Path

import torch

COLUMNS = ("label", "data", "classifier_on_real", "samples", "gap")


def frequency_rows(names, data: torch.Tensor, on_real: torch.Tensor, samples: torch.Tensor) -> list[dict]:
    """One row per label; `gap` = samples - data (the data's own label frequency)."""
    return [{"label": name, "data": float(d), "classifier_on_real": float(r), "samples": float(s),
             "gap": float(s - d)} for name, d, r, s in zip(names, data, on_real, samples)]


def summary(rows: list[dict]) -> dict[str, float]:
    """Mean and worst |gap|, and the smallest samples/data ratio (0: a label never generated)."""
    gaps = [abs(r["gap"]) for r in rows]
    ratios = [r["samples"] / r["data"] for r in rows if r["data"] > 0]
    return {"freq_gap_mean": sum(gaps) / len(gaps), "freq_gap_max": max(gaps),
            "freq_ratio_min": min(ratios) if ratios else float("nan")}


def write_tables(rows: list[dict], folder: Path, stem: str, note: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"{stem}.csv").open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    lines = [note, "", "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in rows:
        lines.append(f"| {r['label']} | {r['data']:.3f} | {r['classifier_on_real']:.3f} | {r['samples']:.3f} "
                     f"| {r['gap']:+.3f} |")
    (folder / f"{stem}.md").write_text("\n".join(lines) + "\n")
