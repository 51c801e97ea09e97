"""StyleGAN2's style-modulated synthesis layers (Karras et al. 2020): the modulated conv, noise
injection, the learned constant input, and the styled conv / ToRGB blocks of the generator,
named exactly like rosinality/stylegan2-pytorch so its state dicts load with strict=True.
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from .layers import DEFAULT_BLUR, Blur, BlurKernel, EqualLinear, Upsample
from .ops import FusedLeakyReLU


class ModulatedConv2d(nn.Module):
    """Style-modulated conv: scale input channels by an affine of w, optionally demodulate
    (normalise each output filter to unit norm), and run it as ONE grouped conv over the batch
    (groups=B, per-sample weights), optionally 2x up/down with FIR blur.

    fused=False applies the same maths to the activations instead (shared weights, no grouped
    conv); identical output up to rounding, sometimes faster for large batches.
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        style_dim: int,
        demodulate: bool = True,
        upsample: bool = False,
        downsample: bool = False,
        blur_kernel: BlurKernel = DEFAULT_BLUR,
        fused: bool = True,
    ):
        super().__init__()
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size = kernel_size
        self.upsample, self.downsample = upsample, downsample
        self.demodulate, self.fused = demodulate, fused
        factor = 2
        if upsample:
            # Pads for blur after a stride-2 transposed conv (output grows by k - 1).
            p = (len(blur_kernel) - factor) - (kernel_size - 1)
            self.blur = Blur(blur_kernel, ((p + 1) // 2 + factor - 1, p // 2 + 1), factor)
        if downsample:
            p = (len(blur_kernel) - factor) + (kernel_size - 1)
            self.blur = Blur(blur_kernel, ((p + 1) // 2, p // 2))
        self.scale = 1 / math.sqrt(in_channels * kernel_size**2)
        self.padding = kernel_size // 2
        self.weight = nn.Parameter(
            torch.randn(1, out_channels, in_channels, kernel_size, kernel_size))
        # bias_init=1: styles start as identity scales.
        self.modulation = EqualLinear(style_dim, in_channels, bias_init=1)

    def extra_repr(self) -> str:
        return (f"{self.in_channels}, {self.out_channels}, {self.kernel_size}, "
                f"upsample={self.upsample}, downsample={self.downsample}")

    def forward(self, x: torch.Tensor, style: torch.Tensor) -> torch.Tensor:
        if not self.fused:
            return self._forward_unfused(x, style)
        b, cin, h, w = x.shape
        cout, k = self.out_channels, self.kernel_size
        s = self.modulation(style).view(b, 1, cin, 1, 1)
        weight = self.scale * self.weight * s  # [B, out, in, k, k]
        if self.demodulate:
            weight = weight * torch.rsqrt(weight.pow(2).sum((2, 3, 4)) + 1e-8).view(b, cout, 1, 1, 1)

        # Fold the batch into channels so each sample is convolved with its own weights.
        x = x.reshape(1, b * cin, h, w)
        if self.upsample:
            # conv_transpose2d wants [in, out/groups, k, k] per group.
            weight = weight.transpose(1, 2).reshape(b * cin, cout, k, k)
            out = F.conv_transpose2d(x, weight, stride=2, groups=b)
            return self.blur(out.reshape(b, cout, *out.shape[-2:]))
        weight = weight.reshape(b * cout, cin, k, k)
        if self.downsample:
            x = self.blur(x.reshape(b, cin, h, w))
            out = F.conv2d(x.reshape(1, b * cin, *x.shape[-2:]), weight, stride=2, groups=b)
        else:
            out = F.conv2d(x, weight, padding=self.padding, groups=b)
        return out.reshape(b, cout, *out.shape[-2:])

    def _forward_unfused(self, x: torch.Tensor, style: torch.Tensor) -> torch.Tensor:
        b, cin = x.shape[:2]
        weight = self.scale * self.weight.squeeze(0)  # [out, in, k, k]
        s = self.modulation(style)  # [B, in]
        x = x * s.view(b, cin, 1, 1)
        if self.upsample:
            out = self.blur(F.conv_transpose2d(x, weight.transpose(0, 1), stride=2))
        elif self.downsample:
            out = F.conv2d(self.blur(x), weight, stride=2)
        else:
            out = F.conv2d(x, weight, padding=self.padding)
        if self.demodulate:
            # sum_{i,k} (w * s_i)^2 per (sample, out) without materialising per-sample weights.
            d = torch.rsqrt(s.pow(2) @ weight.pow(2).sum((2, 3)).t() + 1e-8)  # [B, out]
            out = out * d.view(b, -1, 1, 1)
        return out


class NoiseInjection(nn.Module):
    """Adds per-pixel Gaussian noise scaled by a learned scalar `weight` (init 0). Disabled, it
    adds nothing, and `weight` is a zero buffer (the state dict keeps rosinality's keys)."""

    def __init__(self, enabled: bool = True):
        super().__init__()
        self.enabled = enabled
        if enabled:
            self.weight = nn.Parameter(torch.zeros(1))
        else:
            self.register_buffer("weight", torch.zeros(1))

    def forward(self, x: torch.Tensor, noise: torch.Tensor | None = None) -> torch.Tensor:
        if not self.enabled:
            return x
        if noise is None:
            b, _, h, w = x.shape
            noise = x.new_empty(b, 1, h, w).normal_()
        return x + self.weight * noise


class ConstantInput(nn.Module):
    """Learned 4x4 starting tensor; the argument only provides the batch size."""

    def __init__(self, channels: int, size: int = 4):
        super().__init__()
        self.input = nn.Parameter(torch.randn(1, channels, size, size))

    def forward(self, batch_like: torch.Tensor) -> torch.Tensor:
        return self.input.expand(batch_like.shape[0], -1, -1, -1)


class StyledConv(nn.Module):
    """ModulatedConv2d -> noise -> bias + leaky ReLU."""

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int,
        style_dim: int,
        upsample: bool = False,
        blur_kernel: BlurKernel = DEFAULT_BLUR,
        demodulate: bool = True,
        noise: bool = True,
    ):
        super().__init__()
        self.conv = ModulatedConv2d(in_channels, out_channels, kernel_size, style_dim,
                                    demodulate=demodulate, upsample=upsample,
                                    blur_kernel=blur_kernel)
        self.noise = NoiseInjection(noise)
        self.activate = FusedLeakyReLU(out_channels)

    def forward(self, x: torch.Tensor, style: torch.Tensor,
                noise: torch.Tensor | None = None) -> torch.Tensor:
        return self.activate(self.noise(self.conv(x, style), noise=noise))


class ToRGB(nn.Module):
    """1x1 modulated conv (no demodulation) to image space, added to the upsampled skip image."""

    def __init__(
        self,
        in_channels: int,
        style_dim: int,
        upsample: bool = True,
        blur_kernel: BlurKernel = DEFAULT_BLUR,
        out_channels: int = 3,
    ):
        super().__init__()
        if upsample:
            self.upsample = Upsample(blur_kernel)
        self.conv = ModulatedConv2d(in_channels, out_channels, 1, style_dim, demodulate=False)
        self.bias = nn.Parameter(torch.zeros(1, out_channels, 1, 1))

    def forward(self, x: torch.Tensor, style: torch.Tensor,
                skip: torch.Tensor | None = None) -> torch.Tensor:
        out = self.conv(x, style) + self.bias
        if skip is not None:
            out = out + self.upsample(skip)
        return out
