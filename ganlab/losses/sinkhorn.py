"""The debiased Sinkhorn divergence between weighted point clouds (Feydy et al. 2019), via
GeomLoss: with p=2 the ground cost is C(x, y) = |x - y|^2 / 2 and, as blur -> 0, the loss
tends to the squared Wasserstein-2 distance / 2. `scaling` sets the epsilon-scaling
schedule (closer to 1: more iterations, more accurate).

Backends: `tensorized` (dense N x M cost matrices, plain PyTorch: memory ~ N*M floats per
matrix, no compiler), `online` / `multiscale` (KeOps: linear memory, need pykeops and a C++
compiler), `auto` (GeomLoss picks by size)."""

from __future__ import annotations

import importlib.util

import torch
from torch import nn

BACKENDS = ("tensorized", "online", "multiscale", "auto")


class SinkhornDivergence(nn.Module):
    def __init__(self, blur: float = 0.05, scaling: float = 0.5, backend: str = "tensorized", p: int = 2,
                 debias: bool = True):
        super().__init__()
        if backend not in BACKENDS:
            raise ValueError(f"sinkhorn backend must be one of {BACKENDS}, got {backend!r}")
        if backend in ("online", "multiscale") and importlib.util.find_spec("pykeops") is None:
            raise ImportError(f"GeomLoss backend {backend!r} needs pykeops (pip install pykeops==2.3, plus a C++ "
                              f"compiler at run time); choose backend=tensorized (dense, plain PyTorch) instead")
        if blur <= 0 or not 0 < scaling < 1:
            raise ValueError(f"sinkhorn needs blur > 0 and 0 < scaling < 1, got blur={blur}, scaling={scaling}")
        from geomloss import SamplesLoss

        self.blur, self.scaling, self.backend, self.p = blur, scaling, backend, p
        self.loss = SamplesLoss("sinkhorn", p=p, blur=blur, scaling=scaling, debias=debias, backend=backend)

    def forward(self, x: torch.Tensor, y: torch.Tensor, x_weights: torch.Tensor | None = None,
                y_weights: torch.Tensor | None = None) -> torch.Tensor:
        """x [N, D], y [M, D]; weights [N], [M] (positive; normalised here; default uniform)."""
        x, y = x.flatten(1), y.flatten(1)
        a = _normalised(x_weights, len(x), x)
        b = _normalised(y_weights, len(y), y)
        return self.loss(a, x, b, y)


def _normalised(weights: torch.Tensor | None, n: int, like: torch.Tensor) -> torch.Tensor:
    if weights is None:
        return torch.full((n,), 1.0 / n, dtype=like.dtype, device=like.device)
    if weights.shape != (n,) or bool((weights <= 0).any()):
        raise ValueError(f"sinkhorn weights must be {n} positive numbers, got shape {tuple(weights.shape)} "
                         f"with min {float(weights.min()) if weights.numel() else 'n/a'}")
    weights = weights.to(like)
    return weights / weights.sum()
