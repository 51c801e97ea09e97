"""StyleGAN2 residual discriminator, state-dict compatible with rosinality's `Discriminator`."""

from __future__ import annotations

from collections.abc import Mapping

import torch
from torch import nn

from .channels import check_size, resolve_channels
from .layers import DEFAULT_BLUR, BlurKernel, ConvLayer, EqualLinear, ResBlock


def minibatch_stddev(x: torch.Tensor, group_size: int = 4, n_feat: int = 1) -> torch.Tensor:
    """Append the per-group std of features as n_feat extra channels (lets D see diversity).

    Sample k joins group k % (B // G), as in rosinality/official code. G = group_size, lowered
    to the largest divisor of B so any batch size works (identical when B % group_size == 0).
    """
    b, c, h, w = x.shape
    g = min(b, group_size)
    while b % g:
        g -= 1
    y = x.view(g, -1, n_feat, c // n_feat, h, w)
    # the population variance over the group, written out: Tensor.var over the leading dim
    # of this strided view is ~35x slower on CPU (~5 % of a 32 px training step)
    y = torch.sqrt((y - y.mean(0)).square().mean(0) + 1e-8)  # [B/G, F, C/F, H, W]
    y = y.mean((2, 3, 4)).view(-1, n_feat, 1, 1)  # [B/G, F, 1, 1]
    return torch.cat([x, y.repeat(g, 1, h, w)], 1)


class Discriminator(nn.Module):
    """image [B, img_channels, size, size] -> realness logit [B, 1]."""

    def __init__(
        self,
        size: int,
        channel_multiplier: int = 2,
        blur_kernel: BlurKernel = DEFAULT_BLUR,
        channels: Mapping | int | None = None,
        img_channels: int = 3,
    ):
        super().__init__()
        self.size = size
        log_size = check_size(size)
        ch = self.channels = resolve_channels(channels, channel_multiplier, size)
        self.blur_kernel = tuple(blur_kernel)
        self.img_channels = img_channels

        # convs.0 = fromRGB (1x1); convs.k = ResBlock halving resolution size/2**(k-1) -> /2**k.
        blocks: list[nn.Module] = [ConvLayer(img_channels, ch[size], 1)]
        in_ch = ch[size]
        for log_res in range(log_size, 2, -1):
            out_ch = ch[2 ** (log_res - 1)]
            blocks.append(ResBlock(in_ch, out_ch, blur_kernel))
            in_ch = out_ch
        self.convs = nn.Sequential(*blocks)

        self.stddev_group, self.stddev_feat = 4, 1
        self.final_conv = ConvLayer(in_ch + self.stddev_feat, ch[4], 3)
        self.final_linear = nn.Sequential(
            EqualLinear(ch[4] * 4 * 4, ch[4], activation="fused_lrelu"),
            EqualLinear(ch[4], 1))

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """The flattened 4x4 features the realness head reads, [B, ch[4] * 16] (extra heads,
        such as SCGAN's mode classifier, read them too)."""
        # oneDNN convolves channels-last activations faster on CPU (~15 % of a training step)
        out = self.convs(x.contiguous(memory_format=torch.channels_last))
        out = minibatch_stddev(out, self.stddev_group, self.stddev_feat)
        return self.final_conv(out).flatten(1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.final_linear(self.features(x))
