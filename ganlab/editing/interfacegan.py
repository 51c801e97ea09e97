"""InterFaceGAN directions (Shen et al. 2020): the unit normal of a linear SVM that
separates latent codes by a binary attribute. Moving a code along the normal changes the
attribute; `distance` is the signed distance to the boundary (SCGAN's self-labels)."""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass
class Boundary:
    normal: torch.Tensor  # [D], unit length, pointing toward the positive class
    offset: float  # signed distance of the origin: distance(w) = w . normal + offset

    def distance(self, codes: torch.Tensor) -> torch.Tensor:
        """Signed distance to the boundary, [N] for codes [N, D] (or [N, L, D] -> [N, L])."""
        return codes @ self.normal.to(codes) + self.offset

    def edit(self, codes: torch.Tensor, alpha: torch.Tensor | float) -> torch.Tensor:
        """codes + alpha * normal; alpha a scalar or one value per code."""
        alpha = torch.as_tensor(alpha, dtype=codes.dtype, device=codes.device)
        alpha = alpha.view(-1, *([1] * (codes.ndim - 1))) if alpha.ndim else alpha
        return codes + alpha * self.normal.to(codes)


def fit_boundary(codes: torch.Tensor, labels: torch.Tensor, C: float = 1.0, max_samples: int | None = 20000,
                 seed: int = 0) -> Boundary:
    """Fit a linear SVM on codes [N, D] with 0/1 labels [N]; balanced class weights so a
    rare attribute (5 %) gets a boundary as good as a common one."""
    from sklearn.svm import LinearSVC

    labels = labels.flatten().float()
    if labels.min() == labels.max():
        raise ValueError("fit_boundary needs codes of both classes; all labels are "
                         f"{int(labels[0])} ({len(labels)} codes)")
    if max_samples is not None and len(codes) > max_samples:
        keep = torch.randperm(len(codes), generator=torch.Generator().manual_seed(seed))[:max_samples]
        codes, labels = codes[keep], labels[keep]
    svm = LinearSVC(C=C, class_weight="balanced", max_iter=5000, random_state=seed)
    svm.fit(codes.detach().cpu().double().numpy(), labels.cpu().numpy().astype(int))
    coef = torch.from_numpy(svm.coef_[0]).float()
    norm = coef.norm()
    return Boundary(normal=coef / norm, offset=float(svm.intercept_[0]) / float(norm))


def orthogonalize(primary: torch.Tensor, conditions: list[torch.Tensor]) -> torch.Tensor:
    """InterFaceGAN's conditional manipulation: remove from `primary` its components along
    the `conditions` directions (Gram-Schmidt), so editing one attribute moves the others less."""
    basis: list[torch.Tensor] = []
    for c in conditions:
        for b in basis:
            c = c - (c @ b) * b
        if c.norm() > 1e-8:
            basis.append(c / c.norm())
    out = primary.clone()
    for b in basis:
        out = out - (out @ b) * b
    return out / out.norm()
