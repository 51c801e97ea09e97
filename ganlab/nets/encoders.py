"""Convolutional encoders: the IcGAN inverse mappings E_z (image -> z) and E_y
(image -> y), and the image classifiers used for evaluation. One backbone, several heads."""

from __future__ import annotations

import torch
from torch import nn

from ganlab.nets.dcgan import _num_stages


class ConvEncoder(nn.Module):
    """image [B, C, S, S] (+ optional condition y as constant maps) -> vector [B, out_dim].

    Strided 4x4 convolutions halve the resolution down to 4x4 (as a DCGAN discriminator),
    each optionally followed by `extra_convs` 3x3 convolutions at the reduced resolution
    (cheap depth), then two fully connected layers. `y_dim > 0` makes it conditional
    (IcGAN's IND-COND E_z)."""

    def __init__(self, out_dim: int, image_size: int = 32, channels: int = 1, width: int = 32,
                 y_dim: int = 0, hidden: int = 256, dropout: float = 0.0, extra_convs: int = 0):
        super().__init__()
        self.out_dim, self.y_dim = out_dim, y_dim
        layers: list[nn.Module] = []
        ch_in, ch = channels + y_dim, width
        for _ in range(_num_stages(image_size)):
            layers += [nn.Conv2d(ch_in, ch, 4, 2, 1), nn.BatchNorm2d(ch), nn.LeakyReLU(0.2, True)]
            for _ in range(extra_convs):
                layers += [nn.Conv2d(ch, ch, 3, 1, 1), nn.BatchNorm2d(ch), nn.LeakyReLU(0.2, True)]
            ch_in, ch = ch, ch * 2
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(dropout), nn.Linear(ch_in * 16, hidden),
                                  nn.BatchNorm1d(hidden), nn.LeakyReLU(0.2, True), nn.Linear(hidden, out_dim))

    def forward(self, x: torch.Tensor, y: torch.Tensor | None = None) -> torch.Tensor:
        if self.y_dim:
            x = torch.cat([x, y[:, :, None, None].expand(-1, -1, x.shape[2], x.shape[3])], dim=1)
        return self.head(self.features(x))

    def penultimate(self, x: torch.Tensor) -> torch.Tensor:
        """[B, hidden] activations before the head's last Linear (an unconditional net's embedding)."""
        h = self.features(x)
        for layer in list(self.head)[:-1]:
            h = layer(h)
        return h
