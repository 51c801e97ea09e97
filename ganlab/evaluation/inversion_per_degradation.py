"""Inversion quality per kind of degradation. The target domain of a mixed degradation
draws one kind per image, so its PSNR averages over kinds; here every clean test image is
degraded by each kind in turn, inverted by the trained encoder and scored against the clean
image, so the report can say which degradation the encoder handles worst."""

from __future__ import annotations

import csv
from pathlib import Path

import torch
from torch import nn

from ganlab.data.degradations.mix import MixedDegradation
from ganlab.metrics.reconstruction import ReconstructionScores
from ganlab.nets.mode import evaluating

TABLE = "table_degradations.csv"


def kinds(degradation: nn.Module) -> dict[str, nn.Module]:
    """The named kinds a degradation is made of (one, unless it is a mix)."""
    if isinstance(degradation, MixedDegradation):
        return dict(degradation.choices.items())
    return {type(degradation).__name__: degradation}


@torch.no_grad()
def scores_per_degradation(inverter: nn.Module, generator: nn.Module, degradation: nn.Module,
                           clean: torch.Tensor, perceptual: nn.Module | None, batch_size: int,
                           seed: int = 0) -> dict[str, dict[str, float]]:
    """{kind: {psnr, psnr_pooled, ssim, mse, lpips}} of the encoder on `clean` degraded by each kind."""
    results = {}
    with evaluating(inverter):
        for name, kind in kinds(degradation).items():
            rng = torch.Generator().manual_seed(seed)  # each kind draws its own masks / rain the same way
            scores, lpips = ReconstructionScores().to(clean.device), []
            for start in range(0, len(clean), batch_size):
                target = clean[start : start + batch_size]
                image = inverter(kind(target, rng), generator).image
                scores.update(image, target)
                if perceptual is not None:
                    lpips.append(perceptual(image, target))
            results[name] = {k: float(v) for k, v in scores.compute().items()}
            if lpips:
                results[name]["lpips"] = float(torch.cat(lpips).mean())
    return results


def write_table(results: dict[str, dict[str, float]], out_dir: Path) -> Path:
    path = Path(out_dir) / TABLE
    columns = sorted({k for scores in results.values() for k in scores})
    with path.open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["degradation", *columns])
        writer.writerows([name, *(f"{scores.get(c, float('nan')):.4f}" for c in columns)]
                         for name, scores in results.items())
    return path
