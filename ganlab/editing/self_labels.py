"""SCGAN's self-labels (Liu et al. 2022; the authors' getsoftlabel): an image's signed
distance d to an attribute's InterFaceGAN boundary, in the latent space of the pretrained
generator, becomes soft weights over that attribute's low / mid / high modes by linear
interpolation between three bin edges spread evenly over the observed [min, max]:

    t = (d - min) / (max - min)   (clamped to [0, 1]);  edges at t = 0, 1/2, 1
    low = max(0, 1 - 2t),  high = max(0, 2t - 1),  mid = 1 - low - high

Fine-tuning re-samples the modes uniformly over the whole range: t ~ U[0, 1] per attribute,
labelled the same way (so the tails get as much training as the core)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def soft_labels(values: torch.Tensor, low: torch.Tensor | float, high: torch.Tensor | float) -> torch.Tensor:
    """values [...] (broadcast against low / high) -> weights [..., 3] over low / mid / high."""
    low, high = torch.as_tensor(low).to(values), torch.as_tensor(high).to(values)
    if bool((high <= low).any()):
        raise ValueError(f"soft_labels needs high > low, got low={low.tolist()} high={high.tolist()}")
    t = ((values - low) / (high - low)).clamp(0, 1)
    lo, hi = (1 - 2 * t).clamp(min=0), (2 * t - 1).clamp(min=0)
    return torch.stack([lo, 1 - lo - hi, hi], -1)


def uniform_levels(n: int, num_attributes: int, g: torch.Generator, device) -> torch.Tensor:
    """Re-sampling: positions t ~ U[0, 1] on every attribute's range, [n, num_attributes]
    (drawn on the CPU so a resumed run draws the same)."""
    return torch.rand(n, num_attributes, generator=g).to(device)


def level_labels(t: torch.Tensor) -> torch.Tensor:
    """Positions t in [0, 1] [n, A] -> soft labels [n, A, 3]."""
    return soft_labels(t, 0.0, 1.0)


def rate_at_uniform_levels(positions: torch.Tensor, labels: torch.Tensor, bins: int = 10) -> torch.Tensor:
    """How often uniform re-sampling would show an attribute if the generator matched the data
    at every level: the attribute's rate among the training images in each of `bins` equal
    slices of the range (positions [N] clamped to [0, 1], as the soft labels clamp them),
    averaged over the slices; a slice holding no image takes its nearest neighbour's rate.
    Against the fine-tuned G's frequency it tells whether the self-labels or the fine-tuning
    limit the bias correction."""
    slot = (positions.clamp(0, 1) * bins).long().clamp(max=bins - 1)
    count = torch.bincount(slot, minlength=bins).float()
    hits = torch.bincount(slot, weights=labels.float(), minlength=bins)
    filled = torch.nonzero(count > 0).flatten()
    if len(filled) == 0:
        raise ValueError("rate_at_uniform_levels needs at least one position")
    nearest = filled[(torch.arange(bins)[:, None] - filled[None]).abs().argmin(1)]
    return (hits[nearest] / count[nearest]).mean()


class SelfLabels(nn.Module):
    """The fitted labelling: one boundary per attribute (unit normal, offset) and the range
    [min, max] of the training images' distances. Buffers, so a checkpoint carries them."""

    def __init__(self, num_attributes: int, style_dim: int):
        super().__init__()
        self.register_buffer("normals", torch.zeros(num_attributes, style_dim))
        self.register_buffer("offsets", torch.zeros(num_attributes))
        self.register_buffer("low", torch.zeros(num_attributes))
        self.register_buffer("high", torch.ones(num_attributes))
        self.register_buffer("fitted", torch.zeros((), dtype=torch.bool))

    @torch.no_grad()
    def fit(self, normals: torch.Tensor, offsets: torch.Tensor, real_codes: torch.Tensor) -> torch.Tensor:
        """Set the boundaries and take the range from the real images' codes [N, D];
        returns their distances [N, A]."""
        if normals.shape != self.normals.shape:
            raise ValueError(f"boundary normals {tuple(normals.shape)}, expected {tuple(self.normals.shape)}")
        self.normals.copy_(normals)
        self.offsets.copy_(offsets)
        d = self.distances(real_codes)
        low, high = d.min(0).values, d.max(0).values
        if bool((high <= low).any()):
            raise ValueError("self-labels need distances that vary over the training images; some attribute's "
                             f"range is empty (min {low.tolist()}, max {high.tolist()})")
        self.low.copy_(low)
        self.high.copy_(high)
        self.fitted.fill_(True)
        return d

    def distances(self, codes: torch.Tensor) -> torch.Tensor:
        """Signed distances [N, A] of W codes [N, D]."""
        return codes @ self.normals.T.to(codes) + self.offsets.to(codes)

    def positions(self, codes: torch.Tensor) -> torch.Tensor:
        """Where each code lies on each attribute's range, (d - min) / (max - min), unclamped."""
        return (self.distances(codes) - self.low) / (self.high - self.low)

    def distance_at(self, t: torch.Tensor | float) -> torch.Tensor:
        """The signed distance at position t of each attribute's range, [..., A]."""
        return self.low + torch.as_tensor(t).to(self.low).unsqueeze(-1) * (self.high - self.low)

    def forward(self, codes: torch.Tensor) -> torch.Tensor:
        """Soft labels [N, A, 3] of W codes [N, D]."""
        if not bool(self.fitted):
            raise RuntimeError("SelfLabels used before fit(): the SCGAN stage labels its data when training starts")
        return soft_labels(self.distances(codes), self.low, self.high)



def mode_kl(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """KL(target || softmax(logits)) per attribute, summed over attributes; logits and target
    [B, A, 3]. Each attribute's term is averaged over the batch and its 3 levels, as the
    authors' KLDivLoss(reduction="mean") does (so their weights, 0.5, carry over)."""
    if logits.shape != target.shape:
        raise ValueError(f"logits {tuple(logits.shape)} and target {tuple(target.shape)} differ")
    return F.kl_div(F.log_softmax(logits, -1), target, reduction="none").mean((0, 2)).sum()
