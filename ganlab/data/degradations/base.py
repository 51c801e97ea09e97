"""What every degradation shares: the call signature and seeded uniform draws."""

from __future__ import annotations

import torch
from torch import nn


class Degradation(nn.Module):
    """x [B, C, H, W] in [-1, 1] -> degraded copy (same shape, range and device)."""

    def forward(self, x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        raise NotImplementedError


def uniform(shape: tuple[int, ...], low: float, high: float, generator: torch.Generator,
            device: torch.device | str) -> torch.Tensor:
    # Drawn on the CPU so a seed gives the same degradation on any accelerator.
    return (low + (high - low) * torch.rand(shape, generator=generator)).to(device)


def check_range(name: str, bounds, low: float = 0.0, high: float = float("inf")) -> tuple[float, float]:
    lo, hi = float(bounds[0]), float(bounds[1])
    if not low <= lo <= hi <= high:
        raise ValueError(f"degradation.{name} must be [min, max] with {low} <= min <= max <= {high}, "
                         f"got {list(bounds)}")
    return lo, hi
