"""The latent classifier C(w) of the Latent Transformer (Yao et al. 2021): an MLP on the
flattened W+ code (L x D inputs), LeakyReLU(0.2) between fully connected layers, one logit
per label. Its released model is [L*D, 2048, 512, 40]."""

from __future__ import annotations

import torch
from torch import nn


class LatentMLP(nn.Module):
    def __init__(self, in_dim: int, out_dim: int, hidden: list[int] = (2048, 512), negative_slope: float = 0.2):
        super().__init__()
        sizes = [in_dim, *hidden, out_dim]
        layers: list[nn.Module] = []
        for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(nn.Linear(a, b))
            if i < len(sizes) - 2:
                layers.append(nn.LeakyReLU(negative_slope))
        self.layers = nn.Sequential(*layers)
        self.in_dim, self.out_dim = in_dim, out_dim

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.layers(x)
