"""LW's affine edit and Sinkhorn objective with the transport cost taken on the rendered images
(partly or wholly) instead of W: does a cost that sees the images make LW's objective ask for
the target? A departure from the LW paper (its cost is in W), a diagnostic only."""

from __future__ import annotations

import torch

from ganlab.data.resize import resize
from ganlab.editing.affine import AffineEdits
from ganlab.editing.analysis.differentiable_render import draw
from ganlab.losses.sinkhorn import SinkhornDivergence

SPACES = ("guide", "pixels")


def train_transported(generator, guide, image_size: int, source: torch.Tensor, target: torch.Tensor, steps: int,
                      batch_size: int, lr: float, seed: int, feature_share: float, blur: float,
                      space: str = "guide", target_batch: int = 512) -> AffineEdits:
    """LW's affine form and Sinkhorn divergence, the cost taken on rendered images: points are
    [sqrt(1 - s) w / d_w, sqrt(s) f / d_f], f the guide's penultimate features of G(w) (or its
    pixels, space="pixels"), d_w and d_f the positives' median pairwise distances (so both parts
    weigh alike at s = 1/2). s = 0 is LW's cost in W (the edited codes are then not rendered);
    s = 1 compares renders alone."""
    if space not in SPACES:
        raise ValueError(f"space={space!r}: use one of {SPACES}")
    if not 0 <= feature_share <= 1:
        raise ValueError(f"feature_share must lie in [0, 1], got {feature_share}")
    torch.manual_seed(seed)

    def render_features(codes: torch.Tensor) -> torch.Tensor:
        images = draw(generator, codes)
        return images.flatten(1) if space == "pixels" else guide.penultimate(resize(images.clamp(-1, 1), image_size))

    with torch.no_grad():
        target_features = torch.cat([render_features(c) for c in target.split(256)])
        d_w = torch.pdist(target[:1000]).median()
        d_f = torch.pdist(target_features[:1000]).median()

    def points(codes: torch.Tensor, features: torch.Tensor) -> torch.Tensor:
        return torch.cat([(1 - feature_share) ** 0.5 * codes / d_w, feature_share ** 0.5 * features / d_f], 1)

    goal = points(target, target_features)
    divergence = SinkhornDivergence(blur=blur, scaling=0.5)
    edit = AffineEdits(1, source.shape[1])
    optimizer = torch.optim.Adam(edit.parameters(), lr)
    for _ in range(steps):
        moved = edit(source[torch.randint(len(source), (batch_size,))], 0)
        features = render_features(moved) if feature_share else torch.zeros(len(moved), goal.shape[1] - moved.shape[1])
        loss = divergence(points(moved, features), goal[torch.randint(len(goal), (target_batch,))])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return edit.requires_grad_(False)
