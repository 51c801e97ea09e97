"""One degradation drawn per image from a named set (the paper's mixed target domain)."""

from __future__ import annotations

import torch
from torch import nn

from ganlab.data.degradations.base import Degradation


class MixedDegradation(Degradation):
    def __init__(self, choices: dict[str, nn.Module]):
        super().__init__()
        if not choices:
            raise ValueError("degradation.choices must name at least one degradation")
        self.choices = nn.ModuleDict(dict(choices))

    def forward(self, x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
        which = torch.randint(len(self.choices), (len(x),), generator=generator).to(x.device)
        out = x.clone()
        for k, degradation in enumerate(self.choices.values()):  # a pass per kind, not per image
            rows = (which == k).nonzero().flatten()
            if len(rows):
                out[rows] = degradation(x[rows], generator)
        return out
