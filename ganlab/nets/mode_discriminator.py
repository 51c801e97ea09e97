"""SCGAN's discriminator: the pretrained StyleGAN2 discriminator plus a classification head
over the attribute modes (Liu et al. 2022). Both heads read the same 4x4 features; the new
head has the realness head's shape (a hidden EqualLinear, then one logit per attribute
level) and starts from random weights."""

from __future__ import annotations

import copy

import torch
from torch import nn

from ganlab.nets.self_conditioned import LEVELS
from ganlab.nets.stylegan2 import Discriminator
from ganlab.nets.stylegan2.layers import EqualLinear


class ModeDiscriminator(nn.Module):
    """discriminator: a pretrained StyleGAN2 Discriminator (copied); num_attributes: n.
    `forward(x)` -> realness logit [B, 1] (so R1 code treats it as any discriminator);
    `classify(x)` -> (realness [B, 1], level logits [B, n, 3])."""

    def __init__(self, discriminator: Discriminator, num_attributes: int):
        super().__init__()
        if num_attributes < 1:
            raise ValueError(f"num_attributes must be >= 1, got {num_attributes}")
        self.num_attributes = num_attributes
        self.body = copy.deepcopy(discriminator)
        width = self.body.channels[4]
        self.final_class = nn.Sequential(EqualLinear(width * 16, width, activation="fused_lrelu"),
                                         EqualLinear(width, LEVELS * num_attributes))

    @property
    def size(self) -> int:
        return self.body.size

    @property
    def img_channels(self) -> int:
        return self.body.img_channels

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)

    def classify(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        features = self.body.features(x)
        levels = self.final_class(features).view(-1, self.num_attributes, LEVELS)
        return self.body.final_linear(features), levels
