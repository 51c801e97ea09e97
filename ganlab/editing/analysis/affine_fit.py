"""The affine edit w -> w + A w + b that best reaches given goals (least squares), and how much
of the goals' displacements it explains."""

from __future__ import annotations

import torch

from ganlab.editing.affine import AffineEdits


def fit_affine(source: torch.Tensor, goal: torch.Tensor) -> AffineEdits:
    """LW's edit (one task) whose map w -> w + A w + b is the least-squares fit of source onto goal."""
    if source.shape != goal.shape or source.ndim != 2:
        raise ValueError(f"fit_affine takes source and goal of one [N, D] shape, got {tuple(source.shape)} "
                         f"and {tuple(goal.shape)}")
    ones = torch.ones(len(source), 1, dtype=source.dtype)
    solution = torch.linalg.lstsq(torch.cat([source, ones], 1).double(), (goal - source).double()).solution
    edit = AffineEdits(1, source.shape[1]).requires_grad_(False)
    edit.A[0].copy_(solution[:-1].T)
    edit.b[0].copy_(solution[-1])
    return edit


def affine_r2(source: torch.Tensor, goal: torch.Tensor, edit: AffineEdits) -> float:
    """Share of the displacements (goal - source) beyond their mean that the fitted map
    explains: 1 when they are affine in the source, 0 when the map does no better than a
    common shift."""
    with torch.no_grad():
        moves = goal - source
        residual = (goal - edit(source, 0)).square().sum()
    return float(1 - residual / (moves - moves.mean(0)).square().sum())
