"""The one editor interface: `edit(codes, task, strength)` moves latent codes along one
edit task (`Male`, `count_1->count_2`) at a strength; strength 1 is the edit's natural
size (what a trained editor was trained for; for a direction, the distance between the
class means along it)."""

from __future__ import annotations

import torch


def alpha_column(alpha: torch.Tensor | float, codes: torch.Tensor) -> torch.Tensor:
    """alpha as a scalar or one value per code, shaped to broadcast over codes [N, ...]."""
    alpha = torch.as_tensor(alpha, dtype=codes.dtype, device=codes.device)
    return alpha.view(-1, *([1] * (codes.ndim - 1))) if alpha.ndim else alpha
