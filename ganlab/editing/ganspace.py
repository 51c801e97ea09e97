"""GANSpace directions (Harkonen et al. 2020): principal components of W, found from codes
of the mapping network. Edits move a code along a component in units of its standard
deviation. For a named attribute, `component_for` picks the component whose coordinate
correlates most with the attribute's labels (and orients it toward the positive class)."""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass
class PrincipalDirections:
    mean: torch.Tensor  # [D]
    components: torch.Tensor  # [K, D], orthonormal rows, by decreasing variance
    stdevs: torch.Tensor  # [K]

    def project(self, codes: torch.Tensor) -> torch.Tensor:
        """Coordinates of codes [N, D] along the components, [N, K]."""
        return (codes - self.mean.to(codes)) @ self.components.to(codes).T

    def edit(self, codes: torch.Tensor, component: int, sigmas: torch.Tensor | float) -> torch.Tensor:
        step = torch.as_tensor(sigmas, dtype=codes.dtype, device=codes.device)
        step = step.view(-1, *([1] * (codes.ndim - 1))) if step.ndim else step
        return codes + step * self.stdevs[component].to(codes) * self.components[component].to(codes)

    def direction(self, component: int) -> torch.Tensor:
        return self.components[component]


def fit_pca(codes: torch.Tensor, num_components: int = 32) -> PrincipalDirections:
    """PCA of codes [N, D] (N >= num_components)."""
    codes = codes.detach().float().cpu()
    mean = codes.mean(0)
    _, s, vh = torch.linalg.svd(codes - mean, full_matrices=False)
    k = min(num_components, vh.shape[0])
    return PrincipalDirections(mean=mean, components=vh[:k].contiguous(), stdevs=s[:k] / (len(codes) - 1) ** 0.5)


def component_for(pca: PrincipalDirections, codes: torch.Tensor, labels: torch.Tensor) -> tuple[int, torch.Tensor]:
    """(index, oriented unit direction) of the component most correlated with 0/1 labels."""
    coords = pca.project(codes.detach().float().cpu())
    y = labels.flatten().float().cpu()
    y = (y - y.mean()) / y.std().clamp(min=1e-8)
    coords = (coords - coords.mean(0)) / coords.std(0).clamp(min=1e-8)
    corr = (coords * y[:, None]).mean(0)
    index = int(corr.abs().argmax())
    return index, pca.components[index] * torch.sign(corr[index])
