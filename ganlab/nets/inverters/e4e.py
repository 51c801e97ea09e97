"""e4e (Tov et al. 2021): one shared w from the coarse level plus per-layer offsets
Delta_i (i >= 1) from the pyramid, W+ = w_avg + w + [0, Delta_1, ..., Delta_{n-1}]. The
offsets are returned so the offset regulariser (loss.offset) keeps codes near W, where
edits work, and the latent discriminator (loss.adversarial) keeps them in W's distribution.

e4e's progressive training: the encoder first learns w alone; from training step
`progressive_start` it adds the offsets one layer at a time, one more every
`progressive_every` steps. The training module tells the encoder its step
(`set_progressive_stage`); outside training every offset is in use (those never reached
are their heads' zero init)."""

from __future__ import annotations

import torch
from torch import nn

from ganlab.nets.inverters.base import Inversion, Inverter, mean_code
from ganlab.nets.inverters.pyramid import pyramid_and_heads


class E4EEncoder(Inverter):
    def __init__(self, generator: nn.Module, width: int = 32, finest: int = 16, fpn_width: int | None = None,
                 max_width: int = 256, image_size: int | None = None, progressive_start: int | None = None,
                 progressive_every: int = 1):
        """progressive_start: None trains every offset from the first step."""
        super().__init__(generator, image_size)
        if progressive_start is not None and (progressive_start < 0 or progressive_every < 1):
            raise ValueError("inverter.progressive_start must be >= 0 (or null) and inverter.progressive_every >= 1, "
                             f"got {progressive_start} and {progressive_every}")
        self.pyramid, self.styles = pyramid_and_heads(self, width, finest, fpn_width, max_width)
        self.progressive_start, self.progressive_every = progressive_start, progressive_every
        self.offsets_in_use: int | None = None  # None: all

    def set_progressive_stage(self, step: int | None) -> None:
        """The offsets in use at training step `step` (None: all of them, outside training)."""
        if step is None or self.progressive_start is None:
            self.offsets_in_use = None
        elif step < self.progressive_start:
            self.offsets_in_use = 0
        else:
            self.offsets_in_use = min(self.n_latent - 1, (step - self.progressive_start) // self.progressive_every + 1)

    def codes(self, x: torch.Tensor, generator: nn.Module) -> tuple[torch.Tensor, torch.Tensor]:
        """(W+ [B, n_latent, D], offsets [B, n_latent - 1, D])."""
        pyramid = self.pyramid(x)
        w = self.styles.heads[0](pyramid[self.styles.levels[0]])[:, None]
        offsets = self.styles(pyramid, first=1)
        if self.offsets_in_use is not None:  # masked, not skipped: every head stays in the graph (DDP)
            in_use = torch.arange(1, self.n_latent, device=offsets.device) <= self.offsets_in_use
            offsets = offsets * in_use[:, None].to(offsets)
        return mean_code(generator) + w + torch.cat([torch.zeros_like(w), offsets], 1), offsets

    def encode(self, x: torch.Tensor, generator: nn.Module) -> torch.Tensor:
        self.check(x, generator)
        return self.codes(x, generator)[0]

    def forward(self, x: torch.Tensor, generator: nn.Module) -> Inversion:
        self.check(x, generator)
        wplus, offsets = self.codes(x, generator)
        return Inversion(wplus, self.synthesize(generator, wplus), offsets=offsets)
