"""SSIM as the reference implementations compute it (Wang et al. 2004's MATLAB code,
scikit-image's `structural_similarity(gaussian_weights=True, sigma=1.5,
use_sample_covariance=False)`, pytorch-msssim): an 11-tap Gaussian window (sigma 1.5,
cut at 3.5 sigma), K1 = 0.01, K2 = 0.03, and the SSIM map averaged over the window's valid
positions only. Padding the border instead (torchmetrics) counts pixels whose window hangs
off the image; at 32 px that is about half the map."""

from __future__ import annotations

import torch
import torch.nn.functional as F

SIGMA, TRUNCATE, K1, K2 = 1.5, 3.5, 0.01, 0.03


def gaussian_taps(sigma: float = SIGMA, truncate: float = TRUNCATE, dtype=torch.float64) -> torch.Tensor:
    """The normalised 1-d window, radius int(truncate * sigma + 0.5) as scipy's gaussian_filter."""
    radius = int(truncate * sigma + 0.5)
    x = torch.arange(-radius, radius + 1, dtype=dtype)
    taps = torch.exp(-0.5 * (x / sigma) ** 2)
    return taps / taps.sum()


def _window_means(stack: torch.Tensor, taps: torch.Tensor) -> torch.Tensor:
    """Gaussian-weighted local means of [N, 1, H, W] maps at every position where the window
    fits (separable: rows, then columns)."""
    rows = F.conv2d(stack, taps.view(1, 1, 1, -1))
    return F.conv2d(rows, taps.view(1, 1, -1, 1))


def ssim_per_image(x: torch.Tensor, y: torch.Tensor, data_range: float) -> torch.Tensor:
    """SSIM of each pair of [B, C, H, W] images: the mean of the valid SSIM map over pixels
    and channels (channels scored apart, as scikit-image's channel_axis). Returns [B]."""
    if x.shape != y.shape or x.dim() != 4:
        raise ValueError(f"SSIM needs two [B, C, H, W] batches of one shape, got {tuple(x.shape)} and {tuple(y.shape)}")
    taps = gaussian_taps(dtype=torch.float64).to(x.device)
    if min(x.shape[-2:]) < len(taps):
        raise ValueError(f"SSIM's {len(taps)}-px window needs images of at least {len(taps)} px, "
                         f"got {tuple(x.shape[-2:])}")
    b, c, h, w = x.shape
    x, y = x.double().reshape(b * c, 1, h, w), y.double().reshape(b * c, 1, h, w)
    # One convolution pass for the five local moments.
    moments = _window_means(torch.cat([x, y, x * x, y * y, x * y]), taps).chunk(5)
    mu_x, mu_y, xx, yy, xy = moments
    var_x, var_y, cov = xx - mu_x * mu_x, yy - mu_y * mu_y, xy - mu_x * mu_y
    c1, c2 = (K1 * data_range) ** 2, (K2 * data_range) ** 2
    ssim_map = ((2 * mu_x * mu_y + c1) * (2 * cov + c2)) / ((mu_x ** 2 + mu_y ** 2 + c1) * (var_x + var_y + c2))
    return ssim_map.reshape(b, -1).mean(1)

