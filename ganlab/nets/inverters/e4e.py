"""e4e (Tov et al. 2021): one shared w from the coarse level plus per-layer offsets
Delta_i (i >= 1) from the pyramid, W+ = w_avg + w + [0, Delta_1, ..., Delta_{n-1}]. The
offsets are returned so the offset regulariser (loss.offset) keeps codes near W, where
edits work, and the latent discriminator (loss.adversarial) keeps them in W's distribution.
(e4e's progressive offset schedule is left out.)"""

from __future__ import annotations

import torch
from torch import nn

from ganlab.nets.inverters.base import Inversion, Inverter, mean_code
from ganlab.nets.inverters.pyramid import FeaturePyramid, StyleHeads


class E4EEncoder(Inverter):
    def __init__(self, generator: nn.Module, width: int = 32, finest: int = 16, fpn_width: int = 64,
                 max_width: int = 256, image_size: int | None = None):
        super().__init__(generator, image_size)
        self.pyramid = FeaturePyramid(self.image_size, self.channels, width, finest, fpn_width, max_width)
        self.styles = StyleHeads(self.n_latent, self.style_dim, fpn_width, self.pyramid.resolutions)

    def codes(self, x: torch.Tensor, generator: nn.Module) -> tuple[torch.Tensor, torch.Tensor]:
        """(W+ [B, n_latent, D], offsets [B, n_latent - 1, D])."""
        pyramid = self.pyramid(x)
        w = self.styles.heads[0](pyramid[self.styles.levels[0]])[:, None]
        offsets = self.styles(pyramid, first=1)
        return mean_code(generator) + w + torch.cat([torch.zeros_like(w), offsets], 1), offsets

    def encode(self, x: torch.Tensor, generator: nn.Module) -> torch.Tensor:
        self.check(x, generator)
        return self.codes(x, generator)[0]

    def forward(self, x: torch.Tensor, generator: nn.Module) -> Inversion:
        self.check(x, generator)
        wplus, offsets = self.codes(x, generator)
        return Inversion(wplus, self.synthesize(generator, wplus), offsets=offsets)
