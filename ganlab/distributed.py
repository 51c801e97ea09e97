"""Which process this is when a stage trains data-parallel (trainer=ddp)."""

from __future__ import annotations

import torch


def rank_and_world() -> tuple[int, int]:
    """This process's rank and the number of processes training together, or (0, 1)."""
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        return torch.distributed.get_rank(), torch.distributed.get_world_size()
    return 0, 1


def is_main_process() -> bool:
    return rank_and_world()[0] == 0


def global_mean(value: torch.Tensor) -> torch.Tensor:
    """The mean of `value` over the processes (each holding the mean of an equal share of
    the global batch), so running statistics follow the global batch."""
    _, world = rank_and_world()
    if world == 1:
        return value
    total = value.detach().clone()
    torch.distributed.all_reduce(total)
    return total / world
