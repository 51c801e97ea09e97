"""Run a module in eval mode for a moment and put it back as it was."""

from contextlib import contextmanager

import torch
from torch import nn


@contextmanager
def evaluating(module: nn.Module):
    was_training = module.training
    module.eval()
    try:
        with torch.no_grad():
            yield module
    finally:
        module.train(was_training)
