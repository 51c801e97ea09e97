"""Collapse diagnostic of an image encoder: do its W+ codes vary with the image as much as
the generator's own codes do?

- spread of a set of codes, per W+ layer: the variance across images of each of the D
  coordinates, averaged over coordinates (tr Cov / D);
- spread ratio: the inverted codes' spread over that of codes sampled from the generator
  (z -> w, the same w on every layer), per layer and averaged over layers. A collapsed
  encoder (every image mapped near one code) scores ~0, a faithful one ~1;
- distance to the mean code: the mean L2 distance of each layer's code from w_avg, for
  the inverted and for the sampled codes;
- R^2 of codes recovered from generated images, whose codes are known: how much of W's
  variance an encoder explains (a regressor of E[w | image] has a spread ratio near it).

`collapse_warning` names a run whose spread ratio is under COLLAPSE_RATIO."""

from __future__ import annotations

import torch
from torch import nn

COLLAPSE_RATIO = 0.1


@torch.no_grad()
def sampled_codes(generator: nn.Module, n: int = 2048, seed: int = 0) -> torch.Tensor:
    """[n, D] codes w = mapping(z) of the generator (z seeded, so every evaluation compares
    against the same sample)."""
    device = generator.w_avg.device
    z = torch.randn(n, generator.style_dim, generator=torch.Generator().manual_seed(seed)).to(device)
    return generator.style(z)


def layer_spread(codes: torch.Tensor) -> torch.Tensor:
    """[N, L, D] (or [N, D]) codes -> [L] (or []) variance across the N codes, averaged over D."""
    if len(codes) < 2:
        raise ValueError(f"the spread of codes needs >= 2 of them, got {len(codes)}")
    return codes.double().var(0).mean(-1)


def code_spread(codes: torch.Tensor, sampled: torch.Tensor, mean: torch.Tensor) -> dict[str, float]:
    """codes [N, L, D] inverted, sampled [M, D] generator codes, mean [D] (w_avg) ->
    {spread_ratio, spread_ratio_min, spread_ratio_layer<i>, distance_to_mean, distance_to_mean_sampled}."""
    if codes.dim() != 3 or sampled.dim() != 2 or codes.shape[-1] != sampled.shape[-1]:
        raise ValueError(f"code_spread needs codes [N, L, D] and sampled codes [M, D], got {tuple(codes.shape)} "
                         f"and {tuple(sampled.shape)}")
    ratio = layer_spread(codes) / layer_spread(sampled)
    mean = mean.reshape(-1).to(codes)
    out = {"spread_ratio": float(ratio.mean()), "spread_ratio_min": float(ratio.min()),
           "distance_to_mean": float((codes - mean).norm(dim=-1).mean()),
           "distance_to_mean_sampled": float((sampled.to(codes) - mean).norm(dim=-1).mean())}
    out.update({f"spread_ratio_layer{i}": float(r) for i, r in enumerate(ratio)})
    return out


def code_r_squared(estimate: torch.Tensor, truth: torch.Tensor) -> float:
    """1 - E|estimate - truth|^2 / E|truth - mean truth|^2 over codes [N, ...] (1: recovered,
    0: no better than the mean code)."""
    if estimate.shape != truth.shape or len(truth) < 2:
        raise ValueError(f"code_r_squared needs two sets of >= 2 codes of one shape, got {tuple(estimate.shape)} "
                         f"and {tuple(truth.shape)}")
    truth = truth.double()
    return float(1 - (estimate.double() - truth).pow(2).sum() / (truth - truth.mean(0)).pow(2).sum())


def collapse_warning(run: str, ratios: dict[str, float], threshold: float = COLLAPSE_RATIO) -> str | None:
    """A warning naming `run` and each of its {what: spread ratio} under `threshold`, or None."""
    low = {k: v for k, v in ratios.items() if v < threshold}
    if not low:
        return None
    listed = ", ".join(f"{k} {v:.3g}" for k, v in low.items())
    return (f"run {run}: the encoder's W+ codes have collapsed (spread ratio {listed} < {threshold}: inverted "
            f"codes vary far less than the generator's sampled codes; edits will act on a near-constant code)")
