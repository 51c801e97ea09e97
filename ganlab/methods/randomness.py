"""Training noise as a pure function of (seed, epoch, batch): a run resumed from a
checkpoint draws exactly the z and y' an uninterrupted run would have drawn."""

from __future__ import annotations

import torch


def step_generator(seed: int, epoch: int, batch_idx: int, salt: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(((seed * 1_000_003 + epoch) * 1_000_003 + batch_idx) * 31 + salt)


def randn(shape, g: torch.Generator, device) -> torch.Tensor:
    # Drawn on the CPU so results do not depend on the accelerator's RNG.
    return torch.randn(shape, generator=g).to(device)


def randint(high: int, n: int, g: torch.Generator, device) -> torch.Tensor:
    return torch.randint(high, (n,), generator=g).to(device)
