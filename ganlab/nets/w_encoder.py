"""The smallest encoder SCGAN's self-labels need: image -> one W code of a StyleGAN2
generator (e4e's role in the paper, without its W+ progression). It predicts the offset from
the generator's mean W, as e4e starts from latent_avg, and sees the image resized to at most
`input_size` px (e4e reads 256 px crops of 1024 px faces)."""

from __future__ import annotations

import torch
from torch import nn

from ganlab.data.resize import resize
from ganlab.nets.encoders import ConvEncoder


class WEncoder(nn.Module):
    def __init__(self, style_dim: int, image_size: int, channels: int = 3, input_size: int = 64, width: int = 32,
                 hidden: int = 512, extra_convs: int = 1):
        super().__init__()
        self.style_dim, self.image_size = style_dim, image_size
        self.input_size = min(image_size, input_size)
        self.net = ConvEncoder(style_dim, image_size=self.input_size, channels=channels, width=width, hidden=hidden,
                               extra_convs=extra_convs)
        self.register_buffer("w_avg", torch.zeros(style_dim))

    def set_w_avg(self, w_avg: torch.Tensor) -> None:
        self.w_avg.copy_(w_avg.detach().reshape(-1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """images [B, C, image_size, image_size] in [-1, 1] -> W codes [B, style_dim]."""
        return self.w_avg + self.net(resize(x, self.input_size))
