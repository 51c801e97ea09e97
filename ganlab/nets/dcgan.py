"""DCGAN generator / discriminator (Radford et al. 2016), optionally conditional as in
IcGAN (Perarnau et al. 2016): y joins z at the generator input through an extra fully
connected layer, and joins the image as constant feature maps at the discriminator's
first convolution (the placements IcGAN found best)."""

from __future__ import annotations

import math

import torch
from torch import nn


def _num_stages(image_size: int) -> int:
    stages = int(math.log2(image_size)) - 2
    if image_size < 16 or 2 ** (stages + 2) != image_size:
        raise ValueError(f"image_size must be a power of two >= 16, got {image_size}")
    return stages


class DCGANGenerator(nn.Module):
    """z [B, z_dim] (+ y [B, y_dim]) -> image [B, channels, size, size] in [-1, 1]."""

    def __init__(self, z_dim: int = 100, y_dim: int = 0, image_size: int = 32, channels: int = 1,
                 width: int = 64):
        super().__init__()
        self.z_dim, self.y_dim, self.image_size, self.channels = z_dim, y_dim, image_size, channels
        stages = _num_stages(image_size)
        top = width * 2 ** (stages - 1)
        self.fc = nn.Sequential(nn.Linear(z_dim + y_dim, top * 16, bias=False), nn.BatchNorm1d(top * 16), nn.ReLU(True))
        self.top = top
        layers: list[nn.Module] = []
        ch = top
        for _ in range(stages - 1):
            layers += [nn.ConvTranspose2d(ch, ch // 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ch // 2), nn.ReLU(True)]
            ch //= 2
        layers += [nn.ConvTranspose2d(ch, channels, 4, 2, 1), nn.Tanh()]
        self.body = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        h = z if self.y_dim == 0 else torch.cat([z, y], dim=1)
        return self.body(self.fc(h).view(-1, self.top, 4, 4))


class DCGANDiscriminator(nn.Module):
    """image (+ y) -> one real/fake logit per image."""

    def __init__(self, y_dim: int = 0, image_size: int = 32, channels: int = 1, width: int = 64):
        super().__init__()
        self.y_dim = y_dim
        stages = _num_stages(image_size)
        layers: list[nn.Module] = [nn.Conv2d(channels + y_dim, width, 4, 2, 1), nn.LeakyReLU(0.2, True)]
        ch = width
        for _ in range(stages - 1):
            layers += [nn.Conv2d(ch, ch * 2, 4, 2, 1, bias=False), nn.BatchNorm2d(ch * 2), nn.LeakyReLU(0.2, True)]
            ch *= 2
        self.features = nn.Sequential(*layers)
        self.head = nn.Conv2d(ch, 1, 4, 1, 0)

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if self.y_dim:
            x = torch.cat([x, y[:, :, None, None].expand(-1, -1, x.shape[2], x.shape[3])], dim=1)
        return self.head(self.features(x)).flatten()
