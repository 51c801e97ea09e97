"""IcGAN's edit: keep the encoded z, replace the encoded condition y."""

from __future__ import annotations

import torch


def one_hot_targets(z: torch.Tensor, num_classes: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Every image under every class: z repeated per class, y = the class one-hots.
    Returns (z [B*K, z_dim], y [B*K, K]); rows are image-major."""
    y = torch.eye(num_classes, device=z.device).repeat(z.shape[0], 1)
    return z.repeat_interleave(num_classes, 0), y


def flip_attribute(y_hat: torch.Tensor, attribute: int, target: torch.Tensor) -> torch.Tensor:
    """The encoded attributes (clamped to [0, 1]) with one of them set to `target` [B]."""
    y = y_hat.clamp(0, 1).clone()
    y[:, attribute] = target
    return y


def interpolate(a: torch.Tensor, b: torch.Tensor, steps: int) -> torch.Tensor:
    """Linear interpolation a -> b: [B, D] x2 -> [B * steps, D], image-major."""
    t = torch.linspace(0, 1, steps, device=a.device)[None, :, None]
    return (a[:, None] * (1 - t) + b[:, None] * t).reshape(-1, a.shape[1])
