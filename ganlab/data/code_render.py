"""Latent codes -> images, the one place edits meet the generator.

Codes are W ([N, D], one latent for every style input) or W+ ([N, L, D]). Images come from
the generator's fixed noise maps (randomize_noise=False), so a code always gives the same
image, and are resized to the resolution the judging networks work at."""

from __future__ import annotations

import torch
from torch import nn

from ganlab.data.resize import resize


def to_wplus(codes: torch.Tensor, n_latent: int) -> torch.Tensor:
    """W [N, D] -> W+ [N, L, D] (broadcast); W+ passes through after a shape check."""
    if codes.ndim == 2:
        return codes.unsqueeze(1).expand(-1, n_latent, -1)
    if codes.ndim != 3 or codes.shape[1] != n_latent:
        raise ValueError(f"codes must be W [N, D] or W+ [N, {n_latent}, D], got {tuple(codes.shape)}")
    return codes


@torch.no_grad()
def render_codes(generator: nn.Module, codes: torch.Tensor, image_size: int | None = None,
                 batch_size: int = 128) -> torch.Tensor:
    """Images in [-1, 1] on the codes' device, [N, C, S, S] with S = image_size (or the
    generator's size); batched so memory stays flat."""
    device = next(generator.parameters()).device
    out = []
    for start in range(0, len(codes), batch_size):
        chunk = to_wplus(codes[start : start + batch_size].to(device), generator.n_latent)
        images = generator.synthesis(chunk, randomize_noise=False).clamp(-1, 1)
        out.append(resize(images, image_size) if image_size else images)
    return torch.cat(out).to(codes.device) if out else codes.new_zeros(0)
