"""Batched, seeded image augmentations."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def random_shift(x: torch.Tensor, pixels: int, g: torch.Generator) -> torch.Tensor:
    """Translate each image by its own integer offset in [-pixels, pixels] on both axes,
    filling the border by replication. One gather for the whole batch."""
    if pixels <= 0:
        return x
    b, _, h, w = x.shape
    padded = F.pad(x, (pixels,) * 4, mode="replicate")
    dy, dx = torch.randint(0, 2 * pixels + 1, (2, b, 1), generator=g).to(x.device)
    rows = (torch.arange(h, device=x.device) + dy)[:, :, None]  # [B, H, 1]
    cols = (torch.arange(w, device=x.device) + dx)[:, None, :]  # [B, 1, W]
    batch = torch.arange(b, device=x.device)[:, None, None]
    return padded.permute(0, 2, 3, 1)[batch, rows, cols].permute(0, 3, 1, 2)
