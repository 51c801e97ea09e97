"""No degradation: the clean image itself (degradation=none, the clean row of a grid)."""

from __future__ import annotations

import torch

from ganlab.data.degradations.base import Degradation


class NoDegradation(Degradation):
    def forward(self, x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        return x
