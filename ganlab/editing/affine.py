"""LW's edit (Doubinsky et al. 2023, eq. 1): one affine map per task,
T_alpha(w) = w + alpha * (A w + b). It starts as the identity (A = 0, b = 0). On W+ codes
[N, L, D] the map's `layout` is
- shared: one A [D, D], b [D] applied to every layer (on W [N, D] codes, the paper's map);
- per_layer: one A [D, D], b [D] per layer (the Latent Transformer's capacity, one linear
  map per W+ layer), so each layer gets its own edit;
- full: one A [L*D, L*D], b [L*D] on the flattened code, layers mixing.
per_layer and full need `n_latent` (L); they take W codes as W+ (each layer a copy)."""

from __future__ import annotations

import torch
from torch import nn

from ganlab.data.code_render import to_wplus
from ganlab.editing.editor import alpha_column

LAYOUTS = ("shared", "per_layer", "full")


def _shapes(layout: str, dim: int, n_latent: int | None) -> tuple[tuple[int, ...], tuple[int, ...]]:
    if layout not in LAYOUTS:
        raise ValueError(f"editor.layout must be one of {LAYOUTS}, got {layout!r}")
    if layout == "shared":
        return (dim, dim), (dim,)
    if not n_latent or n_latent < 1:
        raise ValueError(f"editor.layout={layout} needs the number of W+ layers (editor.n_latent), got {n_latent}")
    if layout == "per_layer":
        return (n_latent, dim, dim), (n_latent, dim)
    return (n_latent * dim, n_latent * dim), (n_latent * dim,)


class AffineEdits(nn.Module):
    def __init__(self, num_tasks: int, dim: int, layout: str = "shared", n_latent: int | None = None):
        super().__init__()
        a_shape, b_shape = _shapes(layout, dim, n_latent)
        self.layout, self.n_latent = layout, n_latent
        self.A = nn.ParameterList([nn.Parameter(torch.zeros(a_shape)) for _ in range(num_tasks)])
        self.b = nn.ParameterList([nn.Parameter(torch.zeros(b_shape)) for _ in range(num_tasks)])

    def step(self, codes: torch.Tensor, task: int) -> torch.Tensor:
        """A w + b, shaped as the codes (W+ for per_layer and full)."""
        a, b = self.A[task], self.b[task]
        if self.layout == "shared":
            return codes @ a.T + b
        wplus = to_wplus(codes, self.n_latent)
        if self.layout == "per_layer":
            return torch.einsum("nli,loi->nlo", wplus, a) + b
        return (wplus.flatten(1) @ a.T + b).view_as(wplus)

    def forward(self, codes: torch.Tensor, task: int, alpha: torch.Tensor | float = 1.0) -> torch.Tensor:
        if self.layout != "shared":
            codes = to_wplus(codes, self.n_latent)
        return codes + alpha_column(alpha, codes) * self.step(codes, task)

    @torch.no_grad()
    def copy_task(self, other: AffineEdits, task: int) -> None:
        self.A[task].copy_(other.A[task])
        self.b[task].copy_(other.b[task])
