"""LW's edit (Doubinsky et al. 2023, eq. 1): one affine map per task,
T_alpha(w) = w + alpha * (A w + b), A [D, D], b [D]. It starts as the identity (A = 0,
b = 0). W+ codes [N, L, D] get the same map on every layer."""

from __future__ import annotations

import torch
from torch import nn

from ganlab.editing.editor import alpha_column


class AffineEdits(nn.Module):
    def __init__(self, num_tasks: int, dim: int):
        super().__init__()
        self.A = nn.ParameterList([nn.Parameter(torch.zeros(dim, dim)) for _ in range(num_tasks)])
        self.b = nn.ParameterList([nn.Parameter(torch.zeros(dim)) for _ in range(num_tasks)])

    def forward(self, codes: torch.Tensor, task: int, alpha: torch.Tensor | float = 1.0) -> torch.Tensor:
        step = codes @ self.A[task].T + self.b[task]
        return codes + alpha_column(alpha, codes) * step

    @torch.no_grad()
    def copy_task(self, other: AffineEdits, task: int) -> None:
        self.A[task].copy_(other.A[task])
        self.b[task].copy_(other.b[task])
