"""Training noise as a pure function of (seed, epoch, batch): a run resumed from a
checkpoint draws exactly the z and y' an uninterrupted run would have drawn, and under
DDP each process takes its rank's slice of the global batch's noise; and the global RNGs
kept across a block that reseeds them."""

from __future__ import annotations

import os
import random
from contextlib import contextmanager

import numpy as np
import torch

from ganlab.distributed import rank_and_world


def step_generator(seed: int, epoch: int, batch_idx: int, salt: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(((seed * 1_000_003 + epoch) * 1_000_003 + batch_idx) * 31 + salt)


def _local(draw, shape, g: torch.Generator, batch_dim: int) -> torch.Tensor:
    """Draw for the global batch (every process draws the same), keep this rank's slice: N
    processes see the noise one process with the N-times larger batch would see."""
    rank, world = rank_and_world()
    if world == 1:
        return draw(tuple(shape), generator=g)
    full = list(shape)
    full[batch_dim] *= world
    return draw(tuple(full), generator=g).narrow(batch_dim, rank * shape[batch_dim], shape[batch_dim])


def randn(shape, g: torch.Generator, device, batch_dim: int = 0) -> torch.Tensor:
    # Drawn on the CPU so results do not depend on the accelerator's RNG.
    return _local(torch.randn, shape, g, batch_dim).to(device)


def rand(shape, g: torch.Generator, device, batch_dim: int = 0) -> torch.Tensor:
    return _local(torch.rand, shape, g, batch_dim).to(device)


def randint(high: int, n: int, g: torch.Generator, device, low: int = 0) -> torch.Tensor:
    return _local(lambda size, generator: torch.randint(low, high, size, generator=generator), (n,), g, 0).to(device)


@contextmanager
def global_rng_kept():
    """Runs a block (e.g. the zoo training a model mid-recipe, which seeds everything for
    itself) and then puts back the global RNGs (python, NumPy, torch, CUDA) and Lightning's
    seed, so what the caller draws next is the same whether or not the block ran."""
    states = random.getstate(), np.random.get_state(), os.environ.get("PL_GLOBAL_SEED")
    with torch.random.fork_rng(devices=range(torch.cuda.device_count()) if torch.cuda.is_initialized() else []):
        try:
            yield
        finally:
            random.setstate(states[0])
            np.random.set_state(states[1])
            if states[2] is None:
                os.environ.pop("PL_GLOBAL_SEED", None)
            else:
                os.environ["PL_GLOBAL_SEED"] = states[2]
