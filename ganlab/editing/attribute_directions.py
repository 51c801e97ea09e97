"""Attribute directions in W for editing inverted codes, from labelled generator samples:
sample z, map to W, render, score each image with an attribute classifier, then

- InterFaceGAN: a linear SVM normal separating the most and least confident samples of
  each attribute (Shen et al. take the top / bottom of the score ranking, which always
  gives both classes);
- GANSpace: the principal component of W most correlated with the attribute's score.

Each direction comes with its scale: the standard deviation of W along it, so an edit of
`strength` moves every attribute by the same number of standard deviations."""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from ganlab.data.resize import resize
from ganlab.editing.ganspace import component_for, fit_pca
from ganlab.editing.interfacegan import fit_boundary

EDITORS = ("interfacegan", "ganspace")


@dataclass
class Direction:
    vector: torch.Tensor  # [D], unit length, toward the attribute
    scale: float  # std of W codes along it

    def edit(self, wplus: torch.Tensor, steps: torch.Tensor) -> torch.Tensor:
        """W+ [B, L, D] moved by steps[b] standard deviations along the direction (every layer)."""
        return wplus + (steps * self.scale)[:, None, None] * self.vector.to(wplus)


@torch.no_grad()
def sample_scores(generator: nn.Module, classifier: nn.Module, n: int, judge_size: int, seed: int = 0,
                  batch_size: int = 256) -> tuple[torch.Tensor, torch.Tensor]:
    """(W codes [n, D], classifier logits [n, K]) of generator samples."""
    device = generator.input.input.device
    z = torch.randn(n, generator.style_dim, generator=torch.Generator().manual_seed(seed)).to(device)
    codes, logits = [], []
    for chunk in z.split(batch_size):
        w = generator.style(chunk)
        images = generator.synthesis(w[:, None].expand(-1, generator.n_latent, -1))
        codes.append(w.cpu())
        logits.append(classifier(resize(images, judge_size)).cpu())
    return torch.cat(codes), torch.cat(logits)


def fit_directions(codes: torch.Tensor, logits: torch.Tensor, columns: dict[str, int],
                   svm_fraction: float = 0.2) -> dict[str, dict[str, Direction]]:
    """{editor: {attribute: Direction}} for the attributes at `columns` of the logits."""
    pca = fit_pca(codes)
    k = max(1, int(svm_fraction * len(codes)))
    out: dict[str, dict[str, Direction]] = {editor: {} for editor in EDITORS}
    for name, column in columns.items():
        order = logits[:, column].argsort()
        chosen = torch.cat([order[:k], order[-k:]])
        labels = torch.cat([torch.zeros(k), torch.ones(k)])
        boundary = fit_boundary(codes[chosen], labels)
        out["interfacegan"][name] = Direction(boundary.normal, float(boundary.distance(codes).std()))
        index, vector = component_for(pca, codes, logits[:, column])
        out["ganspace"][name] = Direction(vector, float(pca.stdevs[index]))
    return out
