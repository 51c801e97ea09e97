"""e4e's offset regulariser: sum over layers i >= 1 of ||Delta_i||_2, the distance of each
style from the shared w, so codes stay near W (editable) rather than anywhere in W+."""

from __future__ import annotations

import torch

from ganlab.losses.base import WeightedLoss


class OffsetRegularizer(WeightedLoss):
    on_image = False
    def value(self, target: torch.Tensor, output: torch.Tensor, inversion=None) -> torch.Tensor:
        if inversion is None or inversion.offsets is None:
            raise ValueError("loss.offset needs an inverter with per-layer offsets (inverter=e4e or hfgi); "
                             "remove it for psp (loss=inversion)")
        return inversion.offsets.norm(dim=-1).sum(1).mean()
