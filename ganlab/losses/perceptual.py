"""LPIPS between the image and its reconstruction (ganlab.nets.perceptual.LPIPS)."""

from __future__ import annotations

import torch
from torch import nn

from ganlab.losses.base import WeightedLoss


class PerceptualLoss(WeightedLoss):
    def __init__(self, net: nn.Module, weight: float = 0.8):
        super().__init__(weight)
        self.net = net

    def value(self, target: torch.Tensor, output: torch.Tensor, inversion=None) -> torch.Tensor:
        return self.net(output, target).mean()
