"""The encoders' trunk (a small pSp): residual conv stages down to `finest` px, then a
feature pyramid (FPN) at finest, finest / 2 and finest / 4 px, and one map-to-style head
per W+ entry that pools its level down to 1x1 and maps it to a style vector. pSp's
assignment of styles to levels: the first 3 (coarse) read the 1/4 level, the next 4
(middle) the 1/2 level, the rest (fine) the finest level.

The convs are He-initialised for their leaky ReLUs (`he_init`): with PyTorch's default
init each conv shrinks the signal ~6x, so after the trunk and a head's convs the features
differ between images by ~1e-3 and the zero-started style heads, moving ~lr per Adam step,
cannot turn that into codes that differ (every image got the mean code). pSp's IR-SE
backbone keeps its activations at unit scale with batch norm; this keeps them there by
initialisation."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

COARSE, MIDDLE = 3, 7  # pSp's style indices where the middle and fine groups start
SLOPE = 0.2  # the leaky ReLUs' negative slope


def he_init(module: nn.Module) -> nn.Module:
    """Every Conv2d in `module`: He-normal weights for a leaky ReLU of SLOPE, zero bias
    (signal variance kept from layer to layer)."""
    for layer in module.modules():
        if isinstance(layer, nn.Conv2d):
            nn.init.kaiming_normal_(layer.weight, a=SLOPE, nonlinearity="leaky_relu")
            nn.init.zeros_(layer.bias)
    return module


def level_of(style: int) -> int:
    """Pyramid level a style reads: 0 = finest, 1 = middle, 2 = coarse."""
    return 2 if style < COARSE else 1 if style < MIDDLE else 0


class ResBlock(nn.Module):
    """Pre-activation residual block; `stride` 2 halves the resolution."""

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, out_channels, 3, 1, 1)
        self.conv2 = nn.Conv2d(out_channels, out_channels, 3, stride, 1)
        self.skip = nn.Conv2d(in_channels, out_channels, 1, stride) if stride != 1 or in_channels != out_channels \
            else nn.Identity()
        he_init(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.conv2(F.leaky_relu(self.conv1(F.leaky_relu(x, SLOPE)), SLOPE))
        return (out + self.skip(x)) / math.sqrt(2)


class FeaturePyramid(nn.Module):
    def __init__(self, image_size: int, channels: int, width: int = 32, finest: int = 16, fpn_width: int = 64,
                 max_width: int = 256):
        super().__init__()
        if not 4 <= finest <= image_size // 2 or finest & (finest - 1):
            raise ValueError(f"inverter.finest must be a power of two in [4, image_size / 2 = {image_size // 2}], "
                             f"got {finest}")
        self.stem = nn.Conv2d(channels, width, 3, 1, 1)
        trunk, res, ch = [], image_size, width
        while res > finest:
            trunk.append(ResBlock(ch, min(2 * ch, max_width), 2))
            res, ch = res // 2, min(2 * ch, max_width)
        self.trunk = nn.Sequential(*trunk)
        level_channels = [ch, min(2 * ch, max_width), min(4 * ch, max_width)]
        self.down = nn.ModuleList([ResBlock(level_channels[0], level_channels[1], 2),
                                   ResBlock(level_channels[1], level_channels[2], 2)])
        self.lateral = nn.ModuleList([nn.Conv2d(c, fpn_width, 1) for c in level_channels])
        self.resolutions = (finest, finest // 2, finest // 4)
        he_init(self)

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        """[finest, middle, coarse] maps, fpn_width channels each."""
        # the default layout, not channels-last: there oneDNN's weight gradient of a 1x1 stride-2
        # conv with fewer than 16 input channels (a narrow encoder's skip convs) crashes or is
        # wrong (uxlfoundation/oneDNN#6035)
        c1 = self.trunk(self.stem(x))
        c2 = self.down[0](c1)
        c3 = self.down[1](c2)
        p3 = self.lateral[2](c3)
        p2 = F.interpolate(p3, scale_factor=2.0, mode="bilinear", align_corners=False) + self.lateral[1](c2)
        p1 = F.interpolate(p2, scale_factor=2.0, mode="bilinear", align_corners=False) + self.lateral[0](c1)
        return [p1, p2, p3]


class MapToStyle(nn.Module):
    """A feature map [B, C, r, r] -> a style vector [B, style_dim] (pSp's GradualStyleBlock).
    The last layer starts at zero, so a fresh encoder outputs the mean code."""

    def __init__(self, channels: int, style_dim: int, resolution: int):
        super().__init__()
        pools = int(math.log2(resolution))
        self.convs = nn.Sequential(*[m for _ in range(pools)
                                     for m in (nn.Conv2d(channels, channels, 3, 2, 1), nn.LeakyReLU(SLOPE))])
        he_init(self.convs)
        self.linear = nn.Linear(channels, style_dim)
        nn.init.zeros_(self.linear.weight)
        nn.init.zeros_(self.linear.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(self.convs(x).flatten(1))


class StyleHeads(nn.Module):
    """One MapToStyle per W+ entry, each on its pyramid level: [levels] -> [B, n_latent, D]."""

    def __init__(self, n_latent: int, style_dim: int, fpn_width: int, resolutions: tuple[int, int, int]):
        super().__init__()
        self.levels = [level_of(i) for i in range(n_latent)]
        self.heads = nn.ModuleList([MapToStyle(fpn_width, style_dim, resolutions[lv]) for lv in self.levels])

    def forward(self, pyramid: list[torch.Tensor], first: int = 0) -> torch.Tensor:
        return torch.stack([head(pyramid[lv]) for head, lv in zip(self.heads[first:], self.levels[first:])], 1)


def pyramid_and_heads(inverter, width: int, finest: int, fpn_width: int | None,
                      max_width: int) -> tuple[FeaturePyramid, StyleHeads]:
    """An inverter's trunk and style heads. fpn_width None is pSp's: as wide as a style (its FPN
    and map-to-style convs have 512 channels for 512-d styles)."""
    fpn_width = inverter.style_dim if fpn_width is None else fpn_width
    pyramid = FeaturePyramid(inverter.image_size, inverter.channels, width, finest, fpn_width, max_width)
    return pyramid, StyleHeads(inverter.n_latent, inverter.style_dim, fpn_width, pyramid.resolutions)
