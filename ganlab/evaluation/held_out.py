"""A net's outputs over a datamodule's test split, next to the targets: what the held-out
evaluations of the zoo's nets score."""

from __future__ import annotations

import torch
from torch import nn

from ganlab.nets.mode import evaluating


@torch.no_grad()
def predict_test_split(net: nn.Module, datamodule, max_batches: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """(net(x), y) over the test split in eval mode, on the CPU; `max_batches` (debug) cuts it."""
    outs, targets = [], []
    with evaluating(net):
        for i, (x, y) in enumerate(datamodule.test_dataloader()):
            if max_batches is not None and i >= max_batches:
                break
            outs.append(net(x.to(net.device)).cpu())
            targets.append(y)
    return torch.cat(outs), torch.cat(targets)
