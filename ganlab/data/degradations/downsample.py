"""Bicubic down-sampling by `factor`, then bicubic up-sampling back to the input size
(E2Style's low-resolution degradation, x2 in the UDA-inversion paper)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ganlab.data.degradations.base import Degradation


class Downsample(Degradation):
    def __init__(self, factor: int = 2):
        super().__init__()
        if factor < 2:
            raise ValueError(f"degradation.factor must be >= 2, got {factor}")
        self.factor = factor

    def forward(self, x: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        h, w = x.shape[-2:]
        small = F.interpolate(x, size=(max(1, h // self.factor), max(1, w // self.factor)), mode="bicubic",
                              align_corners=False, antialias=True)
        return F.interpolate(small, size=(h, w), mode="bicubic", align_corners=False).clamp(-1, 1)
