"""Pixel loss ||x - G(E(x))||^2, averaged over pixels (pSp's and UDA-inversion's l2)."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ganlab.losses.base import WeightedLoss


class SquaredError(WeightedLoss):
    def value(self, target: torch.Tensor, output: torch.Tensor, inversion=None) -> torch.Tensor:
        return F.mse_loss(output, target)
