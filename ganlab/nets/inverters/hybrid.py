"""Hybrid inversion: an encoder's code refined by optimization (Zhu et al. 2020's
initialise-then-optimise). In training mode only the encoder runs (that is what is
trained); in eval mode its result is refined."""

from __future__ import annotations

import torch
from torch import nn

from ganlab.nets.inverters.base import Inversion, Inverter


class HybridInverter(Inverter):
    def __init__(self, generator: nn.Module, encoder, refiner):
        """encoder, refiner: partial inverters (e.g. e4e and optimization configs)."""
        super().__init__(generator)
        self.encoder = encoder(generator=generator) if not isinstance(encoder, nn.Module) else encoder
        self.refiner = refiner(generator=generator) if not isinstance(refiner, nn.Module) else refiner

    def forward(self, x: torch.Tensor, generator: nn.Module) -> Inversion:
        start = self.encoder(x, generator)
        if self.training:
            return start
        return self.refiner.refine(x, generator, start.detach())
