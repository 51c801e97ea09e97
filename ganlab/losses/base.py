"""The shape every reconstruction loss shares."""

from __future__ import annotations

import torch
from torch import nn


class WeightedLoss(nn.Module):
    on_image = True  # False for penalties on the codes, which do not depend on the image scored

    def __init__(self, weight: float = 1.0):
        super().__init__()
        if weight < 0:
            raise ValueError(f"loss weight must be >= 0, got {weight}")
        self.weight = float(weight)

    def value(self, target: torch.Tensor, output: torch.Tensor, inversion) -> torch.Tensor:
        """The unweighted loss, averaged over the batch."""
        raise NotImplementedError

    def forward(self, target: torch.Tensor, output: torch.Tensor, inversion=None) -> torch.Tensor:
        return self.weight * self.value(target, output, inversion)
