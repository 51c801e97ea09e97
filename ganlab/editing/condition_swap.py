"""IcGAN's edit: keep the encoded z, replace the encoded condition y."""

from __future__ import annotations

import torch

from ganlab.editing.editor import alpha_column


class ConditionSwap:
    """IcGAN's edit as an Editor whose codes are conditions y [N, K] (z is kept apart).
    Categorical labels (digits): task k moves y toward class k's one-hot, all the way at
    strength 1. Binary attributes: task k sets attribute k to `strength` (0 or 1 for the
    flip, one value per code) and keeps the others, clamped to [0, 1] as encoded."""

    def __init__(self, tasks: list[str], kind: str = "binary", name: str = "condition swap"):
        if kind not in ("binary", "categorical"):
            raise ValueError(f"condition swap: kind must be binary or categorical, got {kind!r}")
        self.tasks, self.kind, self.name = list(tasks), kind, name

    def edit(self, codes: torch.Tensor, task: int, strength: torch.Tensor | float) -> torch.Tensor:
        if self.kind == "binary":
            return flip_attribute(codes, task, torch.as_tensor(strength, dtype=codes.dtype, device=codes.device))
        target = torch.zeros_like(codes)
        target[:, task] = 1
        return torch.lerp(codes, target, alpha_column(strength, codes))  # exactly the one-hot at strength 1


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
