"""e4e's latent discriminator D_W (Tov et al. 2021, sec. 3.3): an MLP that tells codes of the
generator's mapping network (real) from an encoder's codes (fake), one style vector at a time."""

from __future__ import annotations

import torch
from torch import nn


class LatentDiscriminator(nn.Sequential):
    def __init__(self, style_dim: int, layers: int = 4):
        """layers: linear layers in all (e4e: 4), LeakyReLU(0.2) between them, one logit out."""
        if layers < 1:
            raise ValueError(f"the latent discriminator needs >= 1 layer, got {layers}")
        blocks: list[nn.Module] = []
        for _ in range(layers - 1):
            blocks += [nn.Linear(style_dim, style_dim), nn.LeakyReLU(0.2)]
        super().__init__(*blocks, nn.Linear(style_dim, 1))

    def forward(self, w: torch.Tensor) -> torch.Tensor:
        """Logits [...] for style vectors [..., style_dim]."""
        return super().forward(w).squeeze(-1)
