"""PSNR and SSIM as inversion papers compute them: SSIM equal to scikit-image's
structural_similarity (Gaussian window, sigma 1.5, population covariance, valid positions
only) on fixed image pairs; PSNR the mean of per-image PSNR, the pooled figure beside it."""

import numpy as np
import pytest
import torch
from skimage.metrics import structural_similarity
from torchmetrics.functional.image import peak_signal_noise_ratio, structural_similarity_index_measure

from ganlab.metrics.reconstruction import ReconstructionScores, psnr_per_image, ssim_images, to_unit
from ganlab.metrics.ssim import gaussian_taps, ssim_per_image


def image_pairs(n: int, channels: int, height: int, width: int, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Smooth images in [-1, 1] and noisy, shifted reconstructions of them (clamped)."""
    g = torch.Generator().manual_seed(seed)
    coarse = torch.rand(n, channels, height // 4, width // 4, generator=g) * 2 - 1
    images = torch.nn.functional.interpolate(coarse, size=(height, width), mode="bilinear")
    noise = 0.2 * torch.randn(n, channels, height, width, generator=g)
    return images, (0.8 * images + 0.1 + noise).clamp(-1, 1)


def skimage_ssim(x: torch.Tensor, y: torch.Tensor, data_range: float) -> list[float]:
    """scikit-image's SSIM of each [C, H, W] pair in the reference settings."""
    scores = []
    for a, b in zip(x.double().numpy(), y.double().numpy()):
        kwargs = dict(gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=data_range)
        if a.shape[0] == 1:
            scores.append(structural_similarity(a[0], b[0], **kwargs))
        else:
            scores.append(structural_similarity(a, b, channel_axis=0, **kwargs))
    return scores


@pytest.mark.parametrize("shape", [(3, 32, 32), (1, 32, 32), (3, 40, 29)], ids=["rgb32", "gray32", "rgb40x29"])
def test_ssim_equals_scikit_image(shape):
    x, y = image_pairs(5, *shape)
    expected = skimage_ssim(to_unit(y), to_unit(x), data_range=1.0)
    assert ssim_images(y, x).tolist() == pytest.approx(expected, abs=1e-5)
    # the window alone, on other data ranges: [-1, 1] images with data range 2
    assert ssim_per_image(y, x, 2.0).tolist() == pytest.approx(skimage_ssim(y, x, data_range=2.0), abs=1e-5)


def test_ssim_equals_the_8_bit_reference_on_quantised_images():
    """The reference code scores 8-bit images with data range 255: the same number."""
    x, y = image_pairs(3, 3, 32, 32, seed=1)
    x8, y8 = ((to_unit(t) * 255).round().to(torch.uint8) for t in (x, y))
    expected = [structural_similarity(a, b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
                                      data_range=255, channel_axis=0) for a, b in zip(y8.numpy(), x8.numpy())]
    signed = [t.double() / 127.5 - 1 for t in (y8, x8)]
    assert ssim_images(*signed).tolist() == pytest.approx(expected, abs=1e-6)


def test_ssim_window_is_11_taps_and_the_padded_border_is_not_averaged():
    assert len(gaussian_taps()) == 11 and float(gaussian_taps().sum()) == pytest.approx(1.0)
    x, y = image_pairs(4, 3, 32, 32, seed=2)
    padded = float(structural_similarity_index_measure(to_unit(y), to_unit(x), data_range=1.0))
    assert abs(float(ssim_images(y, x).mean()) - padded) > 0.01  # torchmetrics also averages the border
    assert ssim_images(x, x).tolist() == pytest.approx([1.0] * 4)


def test_ssim_and_psnr_reject_bad_shapes():
    x, _ = image_pairs(2, 3, 32, 32)
    with pytest.raises(ValueError, match="at least 11 px"):
        ssim_images(x[..., :10, :10], x[..., :10, :10])
    with pytest.raises(ValueError, match="one shape"):
        ssim_images(x, x[:1])
    with pytest.raises(ValueError, match="one shape"):
        psnr_per_image(x, x[:1])


def test_reconstruction_scores_report_mean_per_image_psnr_and_the_pooled_psnr_beside_it():
    x, y = image_pairs(6, 3, 32, 32, seed=3)
    y[0] = (x[0] + 0.02 * torch.randn_like(x[0])).clamp(-1, 1)  # one near-perfect image: the two conventions differ
    scores = ReconstructionScores()
    scores.update(y[:4], x[:4])
    scores.update(y[4:], x[4:])  # accumulated over batches
    result = {k: float(v) for k, v in scores.compute().items()}
    u, v = to_unit(y).double().numpy(), to_unit(x).double().numpy()
    per_image = [10 * np.log10(1 / np.mean((a - b) ** 2)) for a, b in zip(u, v)]
    assert result["psnr"] == pytest.approx(np.mean(per_image), abs=1e-6)
    assert result["psnr_pooled"] == pytest.approx(float(peak_signal_noise_ratio(to_unit(y), to_unit(x),
                                                                                   data_range=1.0)), abs=1e-4)
    assert result["psnr"] > result["psnr_pooled"] + 0.5
    assert result["mse"] == pytest.approx(float(np.mean((u - v) ** 2)))
    assert result["ssim"] == pytest.approx(np.mean(skimage_ssim(to_unit(y), to_unit(x), 1.0)), abs=1e-5)


def test_reconstruction_scores_refuse_to_compute_nothing():
    with pytest.raises(ValueError, match="no images"):
        ReconstructionScores().compute()
