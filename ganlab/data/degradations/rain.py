"""Rain streaks drawn by kornia's RandomRain (the maintained stand-in for imgaug's
RainLayer, which breaks on NumPy 2). Sizes are fractions of the image so the same config
rains alike at 32 and 256 px: `density` drops per pixel, `length` of a drop as a fraction
of the height, `slant` its horizontal run as a fraction of the width."""

from __future__ import annotations

import torch
from kornia.augmentation import RandomRain

from ganlab.data.degradations.base import Degradation, check_range, uniform


class Rain(Degradation):
    def __init__(self, density: list[float] = (0.02, 0.04), length: list[float] = (0.1, 0.25),
                 slant: list[float] = (-0.08, 0.08)):
        super().__init__()
        self.density = check_range("density", density, high=1.0)
        self.length = check_range("length", length, high=0.9)
        self.slant = check_range("slant", slant, low=-0.9, high=0.9)
        self.rain = RandomRain(p=1.0)

    def _params(self, shape: torch.Size, g: torch.Generator) -> dict[str, torch.Tensor]:
        """kornia's parameter dict, drawn from our generator instead of the global RNG."""
        b, _, h, w = shape
        drops = (uniform((b,), *self.density, g, "cpu") * h * w).round().long().clamp(min=1)
        height = (uniform((b,), *self.length, g, "cpu") * h).round().long().clamp(1, h - 1)
        width = (uniform((b,), *self.slant, g, "cpu") * w).round().long().clamp(-(w - 1), w - 1)
        coords = torch.rand(b, int(drops.max()), 2, generator=g)
        return {"number_of_drops_factor": drops, "coordinates_factor": coords, "drop_height_factor": height,
                "drop_width_factor": width, "batch_prob": torch.ones(b), "forward_input_shape": torch.tensor(shape)}

    def forward(self, x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        if x.shape[1] not in (1, 3):
            raise ValueError(f"rain needs 1 or 3 image channels, got {x.shape[1]}")
        params = {k: v.to(x.device) for k, v in self._params(x.shape, generator).items()}
        return self.rain(x.add(1).div(2), params=params).mul(2).sub(1)  # kornia draws drops in [0, 1] units
