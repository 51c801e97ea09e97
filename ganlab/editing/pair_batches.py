"""LW's batches (Doubinsky et al. 2023, sec. 4.1): the batch size is the smaller of the
source (P-) and target (P+) set sizes, so every step transports a batch of one set onto a
batch (usually all) of the other; the last batch of the larger set is dropped when it
would be badly unbalanced (smaller than `min_last_fraction` of a batch). `max_batch_size`
caps the rule (memory on small machines); then the smaller set is cycled in chunks too."""

from __future__ import annotations

import torch


def batch_size_rule(n_sources: int, n_targets: int, max_batch_size: int | None = None) -> int:
    size = min(n_sources, n_targets)
    return min(size, max_batch_size) if max_batch_size else size


def _chunks(order: torch.Tensor, size: int, min_last_fraction: float) -> list[torch.Tensor]:
    chunks = list(order.split(size))
    if len(chunks) > 1 and len(chunks[-1]) < min_last_fraction * size:
        chunks.pop()
    return chunks


def pair_batches(n_sources: int, n_targets: int, g: torch.Generator | None, max_batch_size: int | None = None,
                 min_last_fraction: float = 0.5) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """(source indices, target indices) per step; g=None keeps the natural order (validation)."""
    if n_sources == 0 or n_targets == 0:
        return []
    size = batch_size_rule(n_sources, n_targets, max_batch_size)
    perm = (lambda n: torch.randperm(n, generator=g)) if g is not None else torch.arange
    src_larger = n_sources >= n_targets
    n_large, n_small = (n_sources, n_targets) if src_larger else (n_targets, n_sources)
    large = _chunks(perm(n_large), size, min_last_fraction)
    if size >= n_small:  # the paper's rule: the whole smaller set in every step
        small = [perm(n_small)] * len(large)
    else:  # capped: the smaller set cycled in chunks of `size`
        order = torch.cat([perm(n_small) for _ in range(-(-len(large) * size // n_small))])
        small = [order[i * size : (i + 1) * size] for i in range(len(large))]
    return [(a, b) if src_larger else (b, a) for a, b in zip(large, small)]
