"""Wall-clock timing of inference (images per second), synchronising an accelerator."""

from __future__ import annotations

import time
from contextlib import contextmanager

import torch


@contextmanager
def stopwatch(device: torch.device, elapsed: list[float]):
    """Appends the seconds the block took to `elapsed`."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    start = time.perf_counter()
    yield
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    elapsed.append(time.perf_counter() - start)
