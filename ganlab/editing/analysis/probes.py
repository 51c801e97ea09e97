"""How separable two code sets are: the held-out balanced accuracy of a linear and of a small
non-linear classifier telling negatives from positives (an affine edit can only move codes
along what is linear in the space)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def _probe_set(negatives: torch.Tensor, positives: torch.Tensor, dtype: torch.dtype):
    """Standardised codes, labels (positives 1), class-balancing weights and the standardisation."""
    x = torch.cat([negatives, positives]).to(dtype)
    mean, std = x.mean(0), x.std(0).clamp_min(1e-8)
    y = torch.cat([torch.zeros(len(negatives)), torch.ones(len(positives))]).to(dtype)
    weight = torch.where(y > 0, len(y) / (2 * len(positives)), len(y) / (2 * len(negatives)))
    return (x - mean) / std, y, weight, lambda codes: (codes.to(dtype) - mean) / std


def _balanced_accuracy(logits, standardise, held_negatives: torch.Tensor, held_positives: torch.Tensor) -> float:
    with torch.no_grad():
        recalls = [((logits(standardise(held)) > 0) == label).double().mean()
                   for held, label in ((held_negatives, False), (held_positives, True))]
    return float(sum(recalls) / 2)


def linear_probe(negatives: torch.Tensor, positives: torch.Tensor, held_negatives: torch.Tensor,
                 held_positives: torch.Tensor, steps: int = 200) -> float:
    """Held-out balanced accuracy of a class-balanced logistic regression (L-BFGS on
    standardised codes, a small L2 penalty) separating negatives from positives."""
    x, y, weight, standardise = _probe_set(negatives, positives, torch.float64)
    coef = torch.zeros(x.shape[1] + 1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.LBFGS([coef], max_iter=steps, line_search_fn="strong_wolfe")

    def logits(codes: torch.Tensor) -> torch.Tensor:
        return codes @ coef[:-1] + coef[-1]

    def closure():
        optimizer.zero_grad()
        loss = F.binary_cross_entropy_with_logits(logits(x), y, weight) + 1e-4 * coef[:-1].square().sum()
        loss.backward()
        return loss

    optimizer.step(closure)
    return _balanced_accuracy(logits, standardise, held_negatives, held_positives)


def mlp_probe(negatives: torch.Tensor, positives: torch.Tensor, held_negatives: torch.Tensor,
              held_positives: torch.Tensor, steps: int = 400, seed: int = 0) -> float:
    """Held-out balanced accuracy of a class-balanced two-hidden-layer MLP (256 wide, Adam,
    minibatches of 512) on standardised codes."""
    torch.manual_seed(seed)
    x, y, weight, standardise = _probe_set(negatives, positives, torch.float32)
    net = nn.Sequential(nn.Linear(x.shape[1], 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 1))
    optimizer = torch.optim.Adam(net.parameters(), 1e-3, weight_decay=1e-4)
    for _ in range(steps):
        i = torch.randint(len(x), (512,))
        loss = F.binary_cross_entropy_with_logits(net(x[i]).squeeze(1), y[i], weight[i])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return _balanced_accuracy(lambda codes: net(codes).squeeze(1), standardise, held_negatives, held_positives)
