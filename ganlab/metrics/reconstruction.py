"""MSE, PSNR and SSIM between reconstructions and their originals, as inversion papers
report them: images in [-1, 1] are scored in [0, 1] (data range 1, the 8-bit convention of
the reference SSIM code), PSNR and SSIM per image, then averaged over the images.

Keys of `ReconstructionScores.compute()`:
  mse          mean squared error over all pixels (per-image mean = pooled: equal sizes)
  psnr         mean of the per-image PSNR, dB (the headline)
  psnr_pooled  PSNR of the pooled MSE, dB (what torchmetrics' PeakSignalNoiseRatio gives;
               never above `psnr`, by Jensen's inequality)
  ssim         mean of the per-image SSIM (ganlab.metrics.ssim: valid window positions only)"""

from __future__ import annotations

import torch
from torchmetrics import Metric

from ganlab.metrics.ssim import ssim_per_image

DATA_RANGE = 1.0  # of the [0, 1] images the scores are computed on

# Captions for tables that show these scores.
PSNR_CONVENTION = "PSNR: mean of per-image PSNR in dB ([0, 1] images); PSNR pooled: PSNR of the set's mean MSE"
SSIM_CONVENTION = ("SSIM: mean of per-image SSIM (Gaussian window sigma 1.5, 11 taps, valid positions only, "
                   "[0, 1] images, data range 1; = scikit-image's structural_similarity)")


def to_unit(images: torch.Tensor) -> torch.Tensor:
    return images.clamp(-1, 1).add(1).div(2)


def psnr_per_image(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """PSNR in dB of each pair of [B, ...] images in [-1, 1] (clamped). Returns [B] float64."""
    if output.shape != target.shape:
        raise ValueError(f"PSNR needs two batches of one shape, got {tuple(output.shape)} and {tuple(target.shape)}")
    mse = (to_unit(output).double() - to_unit(target).double()).pow(2).flatten(1).mean(1)
    return 10 * torch.log10(DATA_RANGE ** 2 / mse)


def ssim_images(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """SSIM of each pair of [B, C, H, W] images in [-1, 1] (clamped). Returns [B] float64."""
    return ssim_per_image(to_unit(output), to_unit(target), DATA_RANGE)


def psnr(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean per-image PSNR of a batch in [-1, 1], dB (a float32 scalar, for logging)."""
    return psnr_per_image(output, target).mean().float()


class ReconstructionScores(Metric):
    """Accumulates the scores of reconstructions against their originals, both in [-1, 1]."""

    full_state_update = False

    def __init__(self):
        super().__init__()
        for name in ("squared_error", "pixels", "psnr_sum", "ssim_sum", "images"):
            self.add_state(name, torch.zeros((), dtype=torch.float64), dist_reduce_fx="sum")

    def update(self, output: torch.Tensor, target: torch.Tensor) -> None:
        output, target = output.detach(), target.detach()
        self.squared_error += (to_unit(output).double() - to_unit(target).double()).pow(2).sum()
        self.pixels += target.numel()
        self.psnr_sum += psnr_per_image(output, target).sum()
        self.ssim_sum += ssim_images(output, target).sum()
        self.images += len(target)

    def compute(self) -> dict[str, torch.Tensor]:
        if self.images == 0:
            raise ValueError("ReconstructionScores.compute() before any update: no images were scored")
        mse = self.squared_error / self.pixels
        return {"mse": mse, "psnr": self.psnr_sum / self.images,
                "psnr_pooled": 10 * torch.log10(DATA_RANGE ** 2 / mse), "ssim": self.ssim_sum / self.images}
