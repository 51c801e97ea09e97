"""FID of reconstructions and edits against the clean test images (torchmetrics'
FrechetInceptionDistance), embedded by the evaluation's feature net: a zoo domain net on
embedded data (features-synthfaces32), Inception on photos (ganlab.metrics.fid_features).
Numbers are comparable between runs with the same feature net only."""

from __future__ import annotations

import torch
from torchmetrics.image.fid import FrechetInceptionDistance

from ganlab.data.resize import resize
from ganlab.metrics.fid_features import FeatureExtractor


@torch.no_grad()
def fid(real: torch.Tensor, fake: torch.Tensor, features: FeatureExtractor, size: int | None = None,
        batch_size: int = 256) -> float:
    """FID between two image sets in [-1, 1] (at least 2 images each), resized to `size`
    first when the feature net takes another size (null: as they are)."""
    metric = FrechetInceptionDistance(feature=features).to(real.device)
    for images, is_real in ((real, True), (fake, False)):
        for chunk in images.split(batch_size):
            metric.update((chunk if size is None else resize(chunk, size)).clamp(-1, 1), real=is_real)
    return float(metric.compute())
