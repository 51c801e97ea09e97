"""Attribute directions in W for editing inverted codes, from labelled generator samples:
sample z, map to W, render, score each image with an attribute classifier, then

- InterFaceGAN: a linear SVM normal separating the most and least confident samples of
  each attribute (Shen et al. take the top / bottom of the score ranking, which always
  gives both classes);
- GANSpace: the principal component of W most correlated with the attribute's score.

Each direction comes with its scale: the standard deviation of W along it, so an edit of
`strength` moves every attribute by the same number of standard deviations. Each method's
directions form one editor (ganlab.editing.editor.Editor) whose tasks are the attributes.
An edit moves every W+ layer alike, or only the layers named per attribute (InterFaceGAN's
layer-wise manipulation of StyleGAN codes: `on_layers`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch
from torch import nn

from ganlab.data.resize import resize
from ganlab.editing.editor import alpha_column
from ganlab.editing.ganspace import component_for, fit_pca
from ganlab.editing.interfacegan import fit_boundary

EDITORS = ("interfacegan", "ganspace")


class DirectionSet:
    """One direction per attribute: unit vectors [T, D] toward it, and the standard deviation
    of W codes along each [T]. An Editor: W [N, D] or W+ [N, L, D] codes move by `strength`
    standard deviations, on every layer alike or, where `layers` [T, L] (0 / 1) says, on some."""

    def __init__(self, name: str, tasks: list[str], vectors: torch.Tensor, scales: torch.Tensor,
                 layers: torch.Tensor | None = None):
        self.name, self.tasks, self.vectors, self.scales, self.layers = name, list(tasks), vectors, scales, layers

    def edit(self, codes: torch.Tensor, task: int, strength: torch.Tensor | float) -> torch.Tensor:
        step = (self.scales[task] * self.vectors[task]).to(codes)
        if self.layers is not None and not bool(self.layers[task].all()):
            if codes.ndim != 3 or codes.shape[1] != self.layers.shape[1]:
                moved = self.layers[task].nonzero().flatten().tolist()
                raise ValueError(f"{self.name}: {self.tasks[task]} edits W+ layers {moved} only, "
                                 f"which needs W+ codes [N, {self.layers.shape[1]}, D], got {tuple(codes.shape)}")
            step = self.layers[task].to(codes)[:, None] * step
        return codes + alpha_column(strength, codes) * step

    def on_layers(self, layers: Mapping[str, Sequence[int]], n_latent: int) -> DirectionSet:
        """These directions, moving the W+ layers listed per attribute ({attribute: [layer, ...]});
        an attribute not listed moves every layer."""
        unknown = sorted(set(layers) - set(self.tasks))
        if unknown:
            raise ValueError(f"edit layers: attributes {unknown} are not among the edited ones {self.tasks}")
        bad = {a: list(ls) for a, ls in layers.items() if not ls or any(not 0 <= i < n_latent for i in ls)}
        if bad:
            raise ValueError(f"edit layers {bad}: each must be a non-empty list of W+ layers 0..{n_latent - 1}")
        mask = torch.ones(len(self.tasks), n_latent)
        for attribute, chosen in layers.items():
            mask[self.tasks.index(attribute)] = 0
            mask[self.tasks.index(attribute), list(chosen)] = 1
        return DirectionSet(self.name, self.tasks, self.vectors, self.scales, mask)


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
                   svm_fraction: float = 0.2) -> dict[str, DirectionSet]:
    """{method: its directions} for the attributes at `columns` of the logits."""
    pca = fit_pca(codes)
    k = max(1, int(svm_fraction * len(codes)))
    found: dict[str, list[tuple[torch.Tensor, float]]] = {method: [] for method in EDITORS}
    for column in columns.values():
        order = logits[:, column].argsort()
        chosen = torch.cat([order[:k], order[-k:]])
        labels = torch.cat([torch.zeros(k), torch.ones(k)])
        boundary = fit_boundary(codes[chosen], labels)
        found["interfacegan"].append((boundary.normal, float(boundary.distance(codes).std())))
        index, vector = component_for(pca, codes, logits[:, column])
        found["ganspace"].append((vector, float(pca.stdevs[index])))
    return {method: DirectionSet(method, list(columns), torch.stack([v for v, _ in pairs]),
                                 torch.tensor([s for _, s in pairs]))
            for method, pairs in found.items()}
