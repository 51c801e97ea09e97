"""Which way to edit an attribute: away from what the image shows."""

from __future__ import annotations

import torch


def edit_sign(present: torch.Tensor) -> torch.Tensor:
    """present [N] (bool, or 0/1 values: > 0.5 is present) -> [N] float: +1 where the
    attribute is absent (the edit adds it), -1 where it is present (the edit removes it)."""
    on = present if present.dtype == torch.bool else present > 0.5
    return 1 - 2 * on.float()
