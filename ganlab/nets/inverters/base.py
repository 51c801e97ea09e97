"""What every inverter returns and the interface training and evaluation rely on."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


def to_size(images: torch.Tensor, size: int) -> torch.Tensor:
    """Generator output -> the inverter's image size (pSp's face_pool: average pooling)."""
    return images if images.shape[-1] == size else F.adaptive_avg_pool2d(images, size)


@dataclass
class Inversion:
    wplus: torch.Tensor  # [B, n_latent, style_dim]
    image: torch.Tensor  # the reconstruction G(wplus) (with `features` fused in, if any)
    offsets: torch.Tensor | None = None  # e4e: per-layer offsets from the shared w, [B, n_latent - 1, D]
    features: dict | None = None  # HFGI: {generator layer: fusion callable}, reused for edits
    base_image: torch.Tensor | None = None  # HFGI: G(wplus) before the fusion
    refuse: Callable[[torch.Tensor], dict] | None = None  # HFGI with ADA: edited code -> its fusion

    def render(self, generator: nn.Module, wplus: torch.Tensor | None = None) -> torch.Tensor:
        """G(wplus) for an edited code (default: this inversion's), with this inversion's fusion
        (re-aligned to the edited image where the inverter aligns it), at the size of the
        inverted image."""
        features = self.features if wplus is None or self.refuse is None else self.refuse(wplus)
        image = generator.synthesis(self.wplus if wplus is None else wplus, features=features)
        return to_size(image, self.image.shape[-1])

    def detach(self) -> Inversion:
        def cut(t):
            return None if t is None else t.detach()

        return Inversion(self.wplus.detach(), self.image.detach(), cut(self.offsets), self.features,
                         cut(self.base_image), self.refuse)


class Inverter(nn.Module):
    """Built for one generator shape (read from `generator`, which is not stored). Images
    are `image_size` px (default: the generator's; smaller, e.g. 256 for a 1024 px FFHQ
    generator as pSp does, pools the generator's output down to it)."""

    def __init__(self, generator: nn.Module, image_size: int | None = None):
        super().__init__()
        self.n_latent, self.style_dim = generator.n_latent, generator.style_dim
        self.image_size, self.channels = image_size or generator.size, generator.img_channels
        if not 8 <= self.image_size <= generator.size or self.image_size & (self.image_size - 1):
            raise ValueError(f"inverter image size must be a power of two in [8, {generator.size}] (the "
                             f"generator's size), got {self.image_size}")

    def synthesize(self, generator: nn.Module, wplus: torch.Tensor, features: dict | None = None) -> torch.Tensor:
        return to_size(generator.synthesis(wplus, features=features), self.image_size)

    def check(self, x: torch.Tensor, generator: nn.Module) -> None:
        if (generator.n_latent, generator.style_dim) != (self.n_latent, self.style_dim):
            raise ValueError(f"inverter built for W+ [{self.n_latent}, {self.style_dim}] but the generator has "
                             f"[{generator.n_latent}, {generator.style_dim}]")
        if tuple(x.shape[1:]) != (self.channels, self.image_size, self.image_size):
            raise ValueError(f"inverter expects images [B, {self.channels}, {self.image_size}, {self.image_size}] "
                             f", got {tuple(x.shape)}; set data.image_size={self.image_size}")

    def forward(self, x: torch.Tensor, generator: nn.Module) -> Inversion:
        raise NotImplementedError

    def encode(self, x: torch.Tensor, generator: nn.Module) -> torch.Tensor:
        """The W+ codes alone [B, n_latent, D] (encoders skip rendering them)."""
        return self(x, generator).wplus


def mean_code(generator: nn.Module) -> torch.Tensor:
    if not generator.w_avg_initialized:
        raise RuntimeError("the generator's w_avg is not set (pretrained generators carry it; for others call "
                           "ganlab.methods.inversion.inversion_training.set_w_avg)")
    return generator.w_avg.view(1, 1, -1)
