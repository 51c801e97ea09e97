"""LW's affine edit trained through the generator on a guide classifier's verdict (the
objective of the classifier-guided editors, GuidedStyle): do affine edits that reach the
target exist in W at all?"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ganlab.data.resize import resize
from ganlab.data.tasks import EditTask
from ganlab.editing.affine import AffineEdits
from ganlab.editing.analysis.differentiable_render import draw


def guide_loss(logits: torch.Tensor, task: EditTask, kind: str) -> torch.Tensor:
    """Cross-entropy toward the target: the target class (categorical) or the target
    attribute's value (binary; the other attributes are left free, this is a ceiling on
    target change alone)."""
    if kind == "categorical":
        return F.cross_entropy(logits, torch.full((len(logits),), task.target_column, dtype=torch.long))
    if kind != "binary":
        raise ValueError(f"label kind {kind!r}: use categorical or binary")
    goal = torch.full((len(logits),), task.target_value)
    return F.binary_cross_entropy_with_logits(logits[:, task.target_column], goal)


def train_guided(generator, guide, task: EditTask, kind: str, image_size: int, source: torch.Tensor,
                 steps: int, batch_size: int, lr: float, seed: int, keep_weight: float = 0.0) -> AffineEdits:
    """LW's affine form trained through G on the guide's verdict (Adam, minibatches of sources),
    plus keep_weight times the pixel MSE to the unedited render: a judge-free pull toward the
    smallest edit that changes the target, so the rest of the image (and the person) may stay."""
    torch.manual_seed(seed)
    edit = AffineEdits(1, source.shape[1])
    optimizer = torch.optim.Adam(edit.parameters(), lr)
    for _ in range(steps):
        codes = source[torch.randint(len(source), (batch_size,))]
        images = draw(generator, edit(codes, 0))
        loss = guide_loss(guide(resize(images.clamp(-1, 1), image_size)), task, kind)
        if keep_weight:
            with torch.no_grad():
                unedited = draw(generator, codes)
            loss = loss + keep_weight * F.mse_loss(images, unedited)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return edit.requires_grad_(False)
