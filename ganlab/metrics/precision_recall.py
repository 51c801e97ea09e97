"""Improved precision and recall (Kynkaanniemi et al. 2019) on feature vectors.

Each set's manifold is the union of balls around its points, each ball reaching the
point's k-th nearest neighbour in the same set. Precision: the share of generated points
inside the real manifold (are samples realistic?); recall: the share of real points
inside the generated manifold (is the data covered?). Distances in row blocks, so memory
stays at block x N."""

from __future__ import annotations

import torch


def knn_radii(points: torch.Tensor, k: int, block: int = 1024) -> torch.Tensor:
    """Distance of each point to its k-th nearest other point, [N]."""
    if not 1 <= k < len(points):
        raise ValueError(f"k={k} needs 1 <= k < number of points ({len(points)})")
    # k + 1 smallest: the point itself (distance 0) comes first.
    return torch.cat([torch.cdist(points[i : i + block], points).topk(k + 1, largest=False).values[:, -1]
                      for i in range(0, len(points), block)])


def inside_manifold(queries: torch.Tensor, points: torch.Tensor, radii: torch.Tensor,
                    block: int = 1024) -> torch.Tensor:
    """bool [Q]: does each query fall inside some ball (points[j], radii[j])?"""
    return torch.cat([(torch.cdist(queries[i : i + block], points) <= radii).any(1)
                      for i in range(0, len(queries), block)])


def precision_recall(real: torch.Tensor, fake: torch.Tensor, k: int = 3) -> tuple[float, float]:
    real, fake = real.double(), fake.double()
    precision = inside_manifold(fake, real, knn_radii(real, k)).double().mean()
    recall = inside_manifold(real, fake, knn_radii(fake, k)).double().mean()
    return float(precision), float(recall)
