"""The attribute classifier inside a multi-task domain feature net: its classified outputs
(the attribute logits, without the regressed identity columns) as an image classifier.

On synthfaces the FID feature net is itself an attribute classifier trained on the same
images and labels as `classifier-synthfaces32` (same held-out accuracy), so an evaluation
that needs both can take one trained net instead of training two."""

from __future__ import annotations

import torch
from torch import nn

from ganlab.methods.judges.classifier import hard_predictions


class AttributeHead(nn.Module):
    def __init__(self, net: nn.Module, classified: int, label_kind: str):
        super().__init__()
        if classified < 1:
            raise ValueError(f"an attribute head needs at least one classified output, got {classified}")
        self.net, self.classified, self.label_kind = net, classified, label_kind

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)[:, : self.classified]

    def predict(self, x: torch.Tensor, batch_size: int = 512) -> torch.Tensor:
        """Hard predictions in label form, as ImageClassifier.predict."""
        return hard_predictions(self, x, self.label_kind, batch_size)
