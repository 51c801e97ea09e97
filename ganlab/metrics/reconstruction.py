"""MSE, PSNR and SSIM between reconstructions and their originals (images in [-1, 1])."""

from __future__ import annotations

import torch
from torchmetrics import MeanSquaredError, MetricCollection
from torchmetrics.image import PeakSignalNoiseRatio, StructuralSimilarityIndexMeasure


def reconstruction_metrics() -> MetricCollection:
    # Scored in [0, 1], the range papers report PSNR in.
    return MetricCollection({"mse": MeanSquaredError(), "psnr": PeakSignalNoiseRatio(data_range=1.0),
                             "ssim": StructuralSimilarityIndexMeasure(data_range=1.0)})


def to_unit(images: torch.Tensor) -> torch.Tensor:
    return images.clamp(-1, 1).add(1).div(2)
