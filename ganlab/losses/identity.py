"""Identity loss 1 - cos(R(x), R(G(E(x)))) with a frozen identity embedder R (ArcFace on
faces, ganlab's identity-factor net on synthfaces)."""

from __future__ import annotations

import torch
from torch import nn

from ganlab.losses.base import WeightedLoss


class IdentityLoss(WeightedLoss):
    def __init__(self, net: nn.Module | None, weight: float = 1.0):
        super().__init__(weight)
        if net is None and weight > 0:
            raise ValueError("loss.id needs an identity net (identity=synthfaces32 or identity=arcface), "
                             "or loss.id.weight=0")
        self.net = net

    def value(self, target: torch.Tensor, output: torch.Tensor, inversion=None) -> torch.Tensor:
        if self.net is None:
            return output.new_zeros(())
        return (1 - (self.net.embed(target).detach() * self.net.embed(output)).sum(1)).mean()
