"""Barycentric targets of the full-set entropic optimal-transport plan between two code clouds."""

from __future__ import annotations

import torch
from geomloss import SamplesLoss


def barycentric_targets(source: torch.Tensor, target: torch.Tensor, blur: float) -> torch.Tensor:
    """Each source code's mean target under the entropic OT plan (uniform weights, cost
    |x - y|^2 / 2, epsilon = blur^2): softmax_j((g_j - C_ij) / eps) . y, the plan's rows
    normalised (the source potential cancels). Full sets, no minibatches: [N, D] -> [N, D]."""
    if source.ndim != 2 or target.ndim != 2 or source.shape[1] != target.shape[1]:
        raise ValueError(f"barycentric_targets takes two [N, D] clouds of one D, got {tuple(source.shape)} "
                         f"and {tuple(target.shape)}")
    ot = SamplesLoss("sinkhorn", p=2, blur=blur, scaling=0.9, debias=False, potentials=True, backend="tensorized")
    _, g = ot(source, target)
    cost = torch.cdist(source, target).square() / 2
    return torch.softmax((g.view(1, -1) - cost) / blur**2, dim=1) @ target
