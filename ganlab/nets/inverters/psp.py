"""pSp (Richardson et al. 2021): a feature-pyramid encoder with one style head per W+
entry, predicting offsets from the generator's mean code (start_from_latent_avg)."""

from __future__ import annotations

import torch
from torch import nn

from ganlab.nets.inverters.base import Inversion, Inverter, mean_code
from ganlab.nets.inverters.pyramid import pyramid_and_heads


class PSPEncoder(Inverter):
    def __init__(self, generator: nn.Module, width: int = 32, finest: int = 16, fpn_width: int | None = None,
                 max_width: int = 256, image_size: int | None = None):
        super().__init__(generator, image_size)
        self.pyramid, self.styles = pyramid_and_heads(self, width, finest, fpn_width, max_width)

    def encode(self, x: torch.Tensor, generator: nn.Module) -> torch.Tensor:
        self.check(x, generator)
        return mean_code(generator) + self.styles(self.pyramid(x))

    def forward(self, x: torch.Tensor, generator: nn.Module) -> Inversion:
        wplus = self.encode(x, generator)
        return Inversion(wplus, self.synthesize(generator, wplus))
