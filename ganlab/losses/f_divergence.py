"""UDA-inversion's discrepancy between the source and target domains (the f-divergence
bound of Acuna et al. 2021, eq. 7 / 23 and Algorithm 1 of Xing et al.).

For a reconstruction x_hat = G(E(x)), an auxiliary network h' with the structure of the
perceptual backbone (LPIPS's AlexNet or a domain feature net) scores it against the frozen
backbone F:

    h_hat'(x) = LPIPS distance between h'(x_hat) and F(x_hat)   (F's side detached)

and with the Pearson chi^2 conjugate f*(t) = t^2 / 4 + t the discrepancy is

    d = E_{x ~ source}[h_hat'(x)] - E_{x ~ target}[f*(h_hat'(x))].

h' takes one ascent step on d, then the encoder a descent step on source loss + weight * d.
(The authors' released code adds weight * |d|; `absolute=true` does that.)"""

from __future__ import annotations

import torch
from torch import nn


def pearson_conjugate(t: torch.Tensor) -> torch.Tensor:
    """f*(t) = t^2 / 4 + t, the conjugate of f(u) = (u - 1)^2 (Pearson chi^2)."""
    return t * t / 4 + t


def discrepancy(source_scores: torch.Tensor, target_scores: torch.Tensor) -> torch.Tensor:
    return source_scores.mean() - pearson_conjugate(target_scores).mean()


class PearsonDiscrepancy(nn.Module):
    def __init__(self, perceptual: nn.Module, weight: float = 1.0, absolute: bool = False):
        super().__init__()
        if weight < 0:
            raise ValueError(f"loss.discrepancy.weight must be >= 0, got {weight}")
        self.weight, self.absolute = float(weight), absolute
        self.reference = perceptual
        self.auxiliary = perceptual.fresh_backbone()

    def scores(self, reconstructions: torch.Tensor) -> torch.Tensor:
        """h_hat'(x) per image, [B]."""
        reference = [f.detach() for f in self.reference.features(reconstructions)]
        return self.reference.distance_from_features(self.reference.features(reconstructions, self.auxiliary),
                                                     reference)

    def forward(self, source_reconstructions: torch.Tensor, target_reconstructions: torch.Tensor) -> torch.Tensor:
        """The discrepancy estimate d (unweighted)."""
        return discrepancy(self.scores(source_reconstructions), self.scores(target_reconstructions))

    def penalty(self, d: torch.Tensor) -> torch.Tensor:
        """What the encoder minimises: weight * d (or weight * |d|)."""
        return self.weight * (d.abs() if self.absolute else d)
