"""Hybrid inversion: an encoder's code refined by optimization (Zhu et al. 2020's
initialise-then-optimise). In training mode only the encoder runs (that is what is
trained); in eval mode its result is refined."""

from __future__ import annotations

import torch
from torch import nn

from ganlab.nets.inverters.base import Inversion, Inverter


class HybridInverter(Inverter):
    def __init__(self, generator: nn.Module, encoder, refiner, image_size: int | None = None):
        """encoder, refiner: partial inverters (e.g. e4e and optimization configs) or built ones."""
        super().__init__(generator, image_size)
        def build(part):
            return part if isinstance(part, nn.Module) else part(generator=generator, image_size=image_size)

        self.encoder, self.refiner = build(encoder), build(refiner)

    def forward(self, x: torch.Tensor, generator: nn.Module) -> Inversion:
        start = self.encoder(x, generator)
        if self.training:
            return start
        return self.refiner.refine(x, generator, start.detach())
