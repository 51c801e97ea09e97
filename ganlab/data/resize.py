"""Pixel conversions shared by the datasets."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def to_signed(images: torch.Tensor) -> torch.Tensor:
    """[0, 1] -> [-1, 1], the range every ganlab generator outputs."""
    return images * 2 - 1


def resize(images: torch.Tensor, size: int) -> torch.Tensor:
    """Bilinear resize of a float batch [B, C, H, W] to size x size (antialiased when shrinking)."""
    if images.shape[-2:] == (size, size):
        return images
    shrinking = images.shape[-1] > size
    return F.interpolate(images, size=(size, size), mode="bilinear", align_corners=False, antialias=shrinking)
