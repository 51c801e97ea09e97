"""HFGI (Wang et al. 2022), UDA-inversion's encoder: an e4e base code, plus a consultation
branch that reads the distortion map x - G(w+) and predicts per-pixel (scale, shift) maps
fused into the generator after the up-sampling conv at `fusion_resolution`:

    act <- act * (1 + scale) + shift      (HFGI fuses at 64 px of a 1024 px generator)

The code stays editable (it is the e4e code); edits reuse the distortion, so details the
code misses survive the edit. With `align` (HFGI's ADA, ganlab.nets.inverters.distortion_alignment)
the distortion is re-aligned to each image it is fused into, the edited one included;
without it the source's fusion is reused unchanged."""

from __future__ import annotations

import math

import torch
from torch import nn

from ganlab.nets.inverters.base import Inversion, Inverter
from ganlab.nets.inverters.distortion_alignment import DistortionAligner
from ganlab.nets.inverters.e4e import E4EEncoder
from ganlab.nets.inverters.pyramid import ResBlock, he_init


class ScaleShift:
    """The fusion callable handed to Generator.synthesis(features={layer: ...})."""

    def __init__(self, scale: torch.Tensor, shift: torch.Tensor):
        self.scale, self.shift = scale, shift

    def __call__(self, act: torch.Tensor) -> torch.Tensor:
        return act * (1 + self.scale) + self.shift


class Consultation(nn.Module):
    """Distortion map [B, C, S, S] -> (scale, shift) [B, out_channels, r, r]. The output
    convs start at zero, so a fresh branch leaves the generator untouched. With an aligner
    (ADA), part of this residual branch, the distortion is first aligned to the image."""

    def __init__(self, channels: int, image_size: int, resolution: int, out_channels: int, width: int = 32,
                 aligner: DistortionAligner | None = None):
        super().__init__()
        blocks, res, ch = [nn.Conv2d(channels, width, 3, 1, 1)], image_size, width
        while res > resolution:
            blocks.append(ResBlock(ch, 2 * ch, 2))
            res, ch = res // 2, 2 * ch
        blocks.append(ResBlock(ch, ch))
        self.body = nn.Sequential(*blocks)
        self.scale, self.shift = (nn.Sequential(nn.Conv2d(ch, ch, 3, 1, 1), nn.LeakyReLU(0.2),
                                                nn.Conv2d(ch, out_channels, 3, 1, 1)) for _ in range(2))
        he_init(self)
        for head in (self.scale, self.shift):
            nn.init.zeros_(head[-1].weight)
            nn.init.zeros_(head[-1].bias)
        self.aligner = aligner  # after the init above: it keeps its own

    def forward(self, distortion: torch.Tensor, image: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(scale, shift) for a distortion map and the image G(w) it completes (which only the
        aligner reads)."""
        if self.aligner is not None:
            if self.training:
                distortion = self.aligner.warp(distortion)
            distortion = self.aligner(distortion, image.detach())
        feats = self.body(distortion)
        return self.scale(feats), self.shift(feats)


class HFGIEncoder(Inverter):
    def __init__(self, generator: nn.Module, width: int = 32, finest: int = 16, fpn_width: int | None = None,
                 max_width: int = 256, fusion_resolution: int = 16, consultation_width: int = 32,
                 image_size: int | None = None, align: bool = False, warp_scale: float = 0.15,
                 warp_rate: float = 0.8, progressive_start: int | None = None, progressive_every: int = 1):
        """align: HFGI's ADA (warp_scale, warp_rate: its self-supervised training's random
        perspective, HFGI's distortion_scale and aug_rate); progressive_*: the e4e base's
        progressive training (ganlab.nets.inverters.e4e)."""
        super().__init__(generator, image_size)
        if not 8 <= fusion_resolution <= self.image_size or fusion_resolution & (fusion_resolution - 1):
            raise ValueError(f"inverter.fusion_resolution must be a power of two in [8, {self.image_size}] (the "
                             f"image size), got {fusion_resolution}")
        self.base = E4EEncoder(generator, width, finest, fpn_width, max_width, image_size, progressive_start,
                               progressive_every)
        self.fusion_layer = 2 * int(math.log2(fusion_resolution)) - 5  # the up-sampling conv at that size
        aligner = DistortionAligner(self.channels, consultation_width, warp_scale, warp_rate) if align else None
        self.consultation = Consultation(self.channels, self.image_size, fusion_resolution,
                                         generator.layer_channels(self.fusion_layer), consultation_width, aligner)

    def set_progressive_stage(self, step: int | None) -> None:
        self.base.set_progressive_stage(step)

    def encode(self, x: torch.Tensor, generator: nn.Module) -> torch.Tensor:
        """The base code (the fusion does not change it)."""
        self.check(x, generator)
        return self.base.codes(x, generator)[0]

    def forward(self, x: torch.Tensor, generator: nn.Module) -> Inversion:
        self.check(x, generator)
        wplus, offsets = self.base.codes(x, generator)
        base_image = self.synthesize(generator, wplus)
        # HFGI detaches the distortion: the branch explains what the code missed, it does not
        # push the base encoder.
        distortion = (x - base_image).detach()
        features = self.fusion(distortion, base_image)
        image = self.synthesize(generator, wplus, features)
        refuse = None
        if self.consultation.aligner is not None:  # ADA: an edited code gets the distortion aligned to it
            def refuse(edited: torch.Tensor) -> dict:
                return self.fusion(distortion, self.synthesize(generator, edited))
        return Inversion(wplus, image, offsets=offsets, features=features, base_image=base_image, refuse=refuse)

    def fusion(self, distortion: torch.Tensor, image: torch.Tensor) -> dict:
        """{generator layer: the fusion} of a distortion map into the image G(w) it completes."""
        return {self.fusion_layer: ScaleShift(*self.consultation(distortion, image))}
