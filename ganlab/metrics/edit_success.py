"""Edit success and attribute preservation, judged by an independent classifier.

success[t]: fraction of images edited toward target t that the classifier assigns to t.
preservation[t]: for binary attributes, the fraction of the *other* attributes whose
classifier verdict on the edited image equals its verdict on the original image."""

from __future__ import annotations

import torch
from torchmetrics import Metric


class EditSuccess(Metric):
    full_state_update = False

    def __init__(self, num_targets: int):
        super().__init__()
        self.add_state("hits", torch.zeros(num_targets), dist_reduce_fx="sum")
        self.add_state("kept", torch.zeros(num_targets), dist_reduce_fx="sum")
        self.add_state("count", torch.zeros(num_targets), dist_reduce_fx="sum")

    def update(self, target: int, reached: torch.Tensor, preserved: torch.Tensor | None = None) -> None:
        """reached: bool [B]; preserved: float [B] in [0, 1] (share of other labels kept)."""
        self.hits[target] += reached.float().sum()
        self.count[target] += reached.numel()
        if preserved is not None:
            self.kept[target] += preserved.float().sum()

    def compute(self) -> dict[str, torch.Tensor]:
        count = self.count.clamp(min=1)
        return {"success": self.hits / count, "preservation": self.kept / count,
                "success_all": self.hits.sum() / count.sum(), "preservation_all": self.kept.sum() / count.sum()}
