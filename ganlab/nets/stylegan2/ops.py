"""Low-level StyleGAN2 ops in plain PyTorch: FIR up/down-sampling and the biased leaky ReLU.

rosinality/stylegan2-pytorch JIT-compiles CUDA kernels for these at import time; here they are
expressed with standard tensor ops (pad, reshape, one depthwise conv) so they run anywhere,
support double backward (R1 / path-length penalties) and never invoke a compiler.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import nn
from torch.nn import functional as F


def _pair(v: int | Sequence[int]) -> tuple[int, int]:
    if isinstance(v, int):
        return v, v
    a, b = v
    return int(a), int(b)


def upfirdn2d(
    x: torch.Tensor,
    kernel: torch.Tensor,
    up: int | Sequence[int] = 1,
    down: int | Sequence[int] = 1,
    pad: Sequence[int] = (0, 0),
) -> torch.Tensor:
    """Upsample (zero insertion) -> pad -> FIR filter -> downsample, per channel.

    x: [B, C, H, W]; kernel: [kh, kw] (convolved, i.e. flipped, as in the reference op).
    up / down: int or (x, y). pad: (p0, p1) for both axes or (x0, x1, y0, y1); negative values
    crop. Output height = (H * up_y + y0 + y1 - kh) // down_y + 1, same as rosinality's op.
    """
    up_x, up_y = _pair(up)
    down_x, down_y = _pair(down)
    if len(pad) == 2:
        px0, px1, py0, py1 = pad[0], pad[1], pad[0], pad[1]
    else:
        px0, px1, py0, py1 = pad
    b, c, h, w = x.shape

    if up_x > 1 or up_y > 1:
        # Zero insertion: put each pixel at the top-left of an up_y x up_x cell of zeros.
        x = x.reshape(b, c, h, 1, w, 1)
        x = F.pad(x, (0, up_x - 1, 0, 0, 0, up_y - 1))
        x = x.reshape(b, c, h * up_y, w * up_x)

    # F.pad crops on negative amounts, which is what upfirdn2d's negative padding means.
    if px0 or px1 or py0 or py1:
        x = F.pad(x, (px0, px1, py0, py1))

    # True convolution = cross-correlation with the flipped kernel. One depthwise conv over all
    # channels; the stride does the downsampling (same as filtering then keeping every n-th).
    kh, kw = kernel.shape
    weight = torch.flip(kernel, (0, 1)).to(dtype=x.dtype, device=x.device)
    weight = weight.view(1, 1, kh, kw).expand(c, 1, kh, kw)
    return F.conv2d(x, weight, stride=(down_y, down_x), groups=c)


def fused_leaky_relu(
    x: torch.Tensor,
    bias: torch.Tensor | None = None,
    negative_slope: float = 0.2,
    scale: float = math.sqrt(2),
) -> torch.Tensor:
    """leaky_relu(x + bias) * scale, bias broadcast over dim 1 (channels / features)."""
    if bias is not None:
        x = x + bias.view(1, -1, *([1] * (x.ndim - 2)))
    return F.leaky_relu(x, negative_slope) * scale


class FusedLeakyReLU(nn.Module):
    """Per-channel bias + scaled leaky ReLU. Parameter name `bias` matches rosinality."""

    def __init__(
        self,
        channels: int,
        bias: bool = True,
        negative_slope: float = 0.2,
        scale: float = math.sqrt(2),
    ):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(channels)) if bias else None
        self.negative_slope = negative_slope
        self.scale = scale

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return fused_leaky_relu(x, self.bias, self.negative_slope, self.scale)
