"""A latent-code datamodule's codes per edit task, in W."""

from __future__ import annotations

import torch


def codes_of(split, members) -> torch.Tensor:
    """The split's codes whose labels `members` (a task's sources or targets) selects."""
    return split.codes[members(split.labels).nonzero().squeeze(1)]


def w_splits(datamodule):
    """Train and test splits, refusing W+ codes (the affine analyses act on W [N, D])."""
    train, test = datamodule.split("train"), datamodule.split("test")
    if train.codes.ndim != 2:
        raise ValueError(f"codes of shape {tuple(train.codes.shape[1:])}: the affine analyses take W codes [N, D] "
                         "(data.source=sample), not W+")
    return train, test
