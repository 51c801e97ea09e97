"""Attribute correlations rho_ij from the labels, and the Latent Transformer's mask that
lets correlated attributes move together: mask_j = 1 - |rho_ij| for target attribute i
(|rho| >= threshold counts as 1; the target itself is always masked out)."""

from __future__ import annotations

import torch


def label_correlation(labels: torch.Tensor) -> torch.Tensor:
    """Pearson correlations [K, K] of label columns (numpy.corrcoef); constant columns get 0."""
    x = labels.double() - labels.double().mean(0)
    std = x.pow(2).sum(0).sqrt()
    corr = (x.T @ x) / (std[:, None] * std[None, :])
    corr = torch.nan_to_num(corr, nan=0.0, posinf=0.0, neginf=0.0)
    corr.fill_diagonal_(1.0)
    return corr.float()


def correlation_mask(corr: torch.Tensor, column: int, threshold: float = 1.0) -> torch.Tensor:
    """[K] weights of the other attributes when editing `column`."""
    strength = corr[column].abs().clone()
    strength[strength >= threshold] = 1.0
    strength[column] = 1.0
    return 1.0 - strength
