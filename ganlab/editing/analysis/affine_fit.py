"""The affine edit w -> w + A w + b that best reaches given goals (least squares), in any of
LW's map layouts, and how much of the goals' displacements it explains."""

from __future__ import annotations

import torch

from ganlab.editing.affine import AffineEdits


def _lstsq(x: torch.Tensor, moves: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(A, b) minimising |x A^T + b - moves|^2 over rows: x [N, I], moves [N, O]. Codes that
    span fewer than I directions (an encoder's W+ codes can) get the minimum-norm A: the
    directions they do not span are cut (singular values below 1e-7 of the largest), so A
    stays finite and the map means the same in float32."""
    x, moves = x.double(), moves.double()
    centre = x.mean(0)
    a = torch.linalg.lstsq(x - centre, moves - moves.mean(0), rcond=1e-7, driver="gelsd").solution.T
    return a, moves.mean(0) - a @ centre


def fit_affine(source: torch.Tensor, goal: torch.Tensor, layout: str = "shared") -> AffineEdits:
    """LW's edit (one task) whose map is the least-squares fit of source onto goal. W codes
    [N, D] take the shared map; W+ codes [N, L, D] any layout (ganlab.editing.affine): shared
    fits one map to every layer's pairs, per_layer one map per layer, full one map on the
    flattened code."""
    if source.shape != goal.shape or source.ndim not in (2, 3):
        raise ValueError(f"fit_affine takes source and goal of one [N, D] or [N, L, D] shape, got "
                         f"{tuple(source.shape)} and {tuple(goal.shape)}")
    if source.ndim == 2 and layout != "shared":
        raise ValueError(f"layout={layout} maps W+ codes [N, L, D]; W codes take the shared map")
    moves, dim = goal - source, source.shape[-1]
    n_latent = source.shape[1] if source.ndim == 3 else None
    edit = AffineEdits(1, dim, layout, n_latent).requires_grad_(False)
    if layout == "shared":
        a, b = _lstsq(source.reshape(-1, dim), moves.reshape(-1, dim))
    elif layout == "per_layer":
        fits = [_lstsq(source[:, layer], moves[:, layer]) for layer in range(n_latent)]
        a, b = torch.stack([f[0] for f in fits]), torch.stack([f[1] for f in fits])
    else:
        a, b = _lstsq(source.flatten(1), moves.flatten(1))
    edit.A[0].copy_(a)
    edit.b[0].copy_(b)
    return edit


def affine_r2(source: torch.Tensor, goal: torch.Tensor, edit: AffineEdits) -> float:
    """Share of the displacements (goal - source) beyond their mean that the fitted map
    explains: 1 when they are affine in the source, 0 when the map does no better than a
    common shift."""
    with torch.no_grad():
        moves = goal - source
        residual = (goal - edit(source, 0)).square().sum()
    return float(1 - residual / (moves - moves.mean(0)).square().sum())
