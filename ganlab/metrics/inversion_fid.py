"""FID of reconstructions and edits (torchmetrics' FrechetInceptionDistance), behind one
function so the feature network can be switched in one place.

Features here: the attribute classifier's logits and the identity embedding of the
evaluation's judges (the zoo nets trained on the embedded data), images resized to their
input size. A low-dimensional, domain-specific stand-in for Inception features (which
need a download); numbers are comparable between runs with the same judges only."""

from __future__ import annotations

import torch
from torch import nn
from torchmetrics.image.fid import FrechetInceptionDistance

from ganlab.data.resize import resize


class JudgeFeatures(nn.Module):
    """[0, 1] images -> [classifier logits, identity embedding]."""

    def __init__(self, classifier: nn.Module, identity: nn.Module | None, judge_size: int, channels: int = 3):
        super().__init__()
        self.classifier, self.identity, self.judge_size = classifier, identity, judge_size
        device = next(classifier.parameters()).device
        with torch.no_grad():
            self.num_features = self(torch.zeros(1, channels, judge_size, judge_size, device=device)).shape[1]

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        x = resize(images * 2 - 1, self.judge_size)
        feats = [self.classifier(x)]
        if self.identity is not None:
            feats.append(self.identity.embed(x))
        return torch.cat(feats, 1)


@torch.no_grad()
def fid(real: torch.Tensor, fake: torch.Tensor, features: nn.Module, batch_size: int = 256) -> float:
    """FID between two image sets in [-1, 1] (at least 2 images each)."""
    metric = FrechetInceptionDistance(feature=features, normalize=True).to(real.device)
    for images, is_real in ((real, True), (fake, False)):
        for chunk in images.split(batch_size):
            metric.update(chunk.clamp(-1, 1).add(1).div(2), real=is_real)
    return float(metric.compute())
