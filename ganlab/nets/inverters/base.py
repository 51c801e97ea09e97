"""What every inverter returns and the interface training and evaluation rely on."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn


@dataclass
class Inversion:
    wplus: torch.Tensor  # [B, n_latent, style_dim]
    image: torch.Tensor  # the reconstruction G(wplus) (with `features` fused in, if any)
    offsets: torch.Tensor | None = None  # e4e: per-layer offsets from the shared w, [B, n_latent - 1, D]
    features: dict | None = None  # HFGI: {generator layer: fusion callable}, reused for edits
    base_image: torch.Tensor | None = None  # HFGI: G(wplus) before the fusion

    def render(self, generator: nn.Module, wplus: torch.Tensor | None = None) -> torch.Tensor:
        """G(wplus) for an edited code (default: this inversion's), with the same fusion."""
        return generator.synthesis(self.wplus if wplus is None else wplus, features=self.features)

    def detach(self) -> Inversion:
        def cut(t):
            return None if t is None else t.detach()

        return Inversion(self.wplus.detach(), self.image.detach(), cut(self.offsets), self.features,
                         cut(self.base_image))


class Inverter(nn.Module):
    """Built for one generator shape (read from `generator`, which is not stored)."""

    def __init__(self, generator: nn.Module):
        super().__init__()
        self.n_latent, self.style_dim = generator.n_latent, generator.style_dim
        self.image_size, self.channels = generator.size, generator.img_channels

    def check(self, x: torch.Tensor, generator: nn.Module) -> None:
        if (generator.n_latent, generator.style_dim) != (self.n_latent, self.style_dim):
            raise ValueError(f"inverter built for W+ [{self.n_latent}, {self.style_dim}] but the generator has "
                             f"[{generator.n_latent}, {generator.style_dim}]")
        if tuple(x.shape[1:]) != (self.channels, self.image_size, self.image_size):
            raise ValueError(f"inverter expects images [B, {self.channels}, {self.image_size}, {self.image_size}] "
                             f"(the generator's), got {tuple(x.shape)}; set data.image_size={self.image_size}")

    def forward(self, x: torch.Tensor, generator: nn.Module) -> Inversion:
        raise NotImplementedError


def mean_code(generator: nn.Module) -> torch.Tensor:
    if not generator.w_avg_initialized:
        raise RuntimeError("the generator's w_avg is not set (pretrained generators carry it; for others call "
                           "ganlab.methods.inversion_training.set_w_avg)")
    return generator.w_avg.view(1, 1, -1)
