"""Which attribute combinations the training labels contain.

A conditional generator learns p(x | y) only where the data has y: on synthfaces (as on
CelebA) no man wears heavy make-up and no woman has a beard, so asking IcGAN for such a y
measures extrapolation, not editing. An edited label vector is *supported* when every pair
of its values (attribute a = u, attribute b = v) occurs together in some training label."""

from __future__ import annotations

import torch


class PairSupport:
    def __init__(self, train_labels: torch.Tensor):
        """train_labels: {0, 1} [N, K]."""
        onehot = torch.stack([1 - train_labels.float(), train_labels.float()], 2).flatten(1)  # [N, 2K]: (a, value)
        self.seen = (onehot.T @ onehot) > 0  # [2K, 2K]: value pairs that co-occur
        self.num_attributes = train_labels.shape[1]

    def supported(self, labels: torch.Tensor) -> torch.Tensor:
        """labels {0, 1} [B, K] -> bool [B]: every pair of values occurs in the training labels."""
        k = torch.arange(self.num_attributes, device=labels.device)
        index = 2 * k + labels.long()  # [B, K]: row/column of each attribute's value
        seen = self.seen.to(labels.device)
        return seen[index[:, :, None], index[:, None, :]].flatten(1).all(1)
