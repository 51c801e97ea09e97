"""Scores of an image encoder on held-out images: PSNR / SSIM of the inversions, and how
often the zoo classifier's verdict on an image survives its inversion (`label_kept`: the
labels an editor learns from are the images' own, so the codes must keep them)."""

from __future__ import annotations

import torch

from ganlab.evaluation.protocol import Evaluation
from ganlab.metrics.reconstruction import ReconstructionScores
from ganlab.nets.mode import evaluating


class ImageInversionEvaluation(Evaluation):
    stage_parameters = ("encoder_stage",)

    def __init__(self, classifier=None, split: str = "test", encoder_stage: str = "encoder", batch_size: int = 256,
                 max_batches: int | None = None):
        self.classifier, self.split, self.encoder_stage = classifier, split, encoder_stage
        self.batch_size, self.max_batches = batch_size, max_batches

    @torch.no_grad()
    def __call__(self, stages: dict, datamodule, out_dir) -> dict[str, float]:
        module, data = stages[self.encoder_stage], datamodule.split(self.split)
        n = len(data) if self.max_batches is None else min(len(data), self.max_batches * self.batch_size)
        x = data[torch.arange(n)][0].to(module.device)
        y = invert_images(module, x, self.batch_size)
        recon = ReconstructionScores().to(x.device)
        recon.update(y, x)
        metrics = {f"test/{k}": float(v) for k, v in recon.compute().items()}
        if self.classifier is not None:
            self.classifier.to(x.device)
            same = self.classifier.predict(x, batch_size=self.batch_size) == \
                self.classifier.predict(y, batch_size=self.batch_size)
            metrics["test/label_kept"] = float(same.all(1).float().mean())
        return metrics


@torch.no_grad()
def invert_images(encoder, images: torch.Tensor, batch_size: int = 256) -> torch.Tensor:
    """An encoder's reconstructions of images in [-1, 1], in batches, clamped to [-1, 1]."""
    with evaluating(encoder):
        return torch.cat([encoder(chunk).image.clamp(-1, 1) for chunk in images.split(batch_size)])
