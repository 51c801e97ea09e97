"""SCGAN mode editing (Liu et al. 2022): keep an image's latent code and move one attribute's
mode weights along its range (e.g. low -> high Eyeglasses), optionally after PTI-style tuning
of the generator around the pivot code (Roich et al. 2021) for fidelity.

Positions t on an attribute's range are the self-labels' scale: t = 0 is the lowest
distance seen in the training data, t = 1 the highest; `position_levels(t)` gives the mode
weights, extrapolated linearly past the ends (t > 1: the high mode weighs 2t - 1 > 1)."""

from __future__ import annotations

import copy

import torch
import torch.nn.functional as F
from torch import nn

from ganlab.editing.self_labels import soft_labels
from ganlab.nets.mode import evaluating


def position_levels(t: torch.Tensor | float, extrapolate: bool = True) -> torch.Tensor:
    """Mode weights [..., 3] at positions t (unclamped when extrapolating)."""
    t = torch.as_tensor(t, dtype=torch.float32)
    if not extrapolate:
        return soft_labels(t, 0.0, 1.0)
    low, high = (1 - 2 * t).clamp(min=0), (2 * t - 1).clamp(min=0)
    return torch.stack([low, 1 - low - high, high], -1)


def set_position(levels: torch.Tensor, attribute: int, t: torch.Tensor | float) -> torch.Tensor:
    """A copy of levels [B, A, 3] with one attribute moved to position t (scalar or [B])."""
    out = levels.clone()
    out[:, attribute] = position_levels(t).to(levels).expand(len(levels), 3)
    return out


class ModeEditor:
    """SCGAN's edit as an Editor whose codes are the mode weights [N, A, 3] the fine-tuned
    generator takes beside W: task a moves attribute a to position `strength` of its range."""

    def __init__(self, tasks: list[str], name: str = "SCGAN"):
        self.tasks, self.name = list(tasks), name

    def edit(self, codes: torch.Tensor, task: int, strength: torch.Tensor | float) -> torch.Tensor:
        return set_position(codes, task, strength)


@torch.no_grad()
def discriminator_levels(discriminator: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """An image's modes as the fine-tuned discriminator's class head sees them (softmax per
    attribute), as the authors label images they invert."""
    with evaluating(discriminator):
        return discriminator.classify(x)[1].softmax(-1)


def refine_codes(generator: nn.Module, w: torch.Tensor, levels: torch.Tensor | None, x: torch.Tensor,
                 steps: int = 100, lr: float = 0.01) -> torch.Tensor:
    """Optimisation-based inversion from the encoder's codes: minimise |G(w) - x|^2 over w
    (every image at once; `levels` for a self-conditioned generator, None for a plain one).
    The generator's weights are left as they are (no gradients reach them)."""
    w = w.detach().clone().requires_grad_(True)
    opt = torch.optim.Adam([w], lr=lr)
    was_training = generator.training
    generator.eval()
    try:
        with torch.enable_grad():
            for _ in range(steps):
                loss = F.mse_loss(_draw(generator, w, levels), x, reduction="none").flatten(1).mean(1).sum()
                (w.grad,) = torch.autograd.grad(loss, [w])
                opt.step()
    finally:
        generator.train(was_training)
    return w.detach()


def pivotal_tuning(generator: nn.Module, w: torch.Tensor, levels: torch.Tensor | None, x: torch.Tensor,
                   steps: int = 50, lr: float = 3e-4) -> nn.Module:
    """PTI: a copy of the generator whose weights are tuned so G(w_pivot) redraws x (MSE;
    the images of a batch share one tuned copy, a batch of one is the paper's per-image PTI)."""
    tuned = copy.deepcopy(generator).train().requires_grad_(True)
    opt = torch.optim.Adam(tuned.parameters(), lr=lr)
    with torch.enable_grad():
        for _ in range(steps):
            loss = F.mse_loss(_draw(tuned, w, levels), x)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    return tuned.eval().requires_grad_(False)


def _draw(generator: nn.Module, w: torch.Tensor, levels: torch.Tensor | None) -> torch.Tensor:
    wplus = w if w.ndim == 3 else w.unsqueeze(1).expand(-1, generator.n_latent, -1)
    return generator.synthesis(wplus) if levels is None else generator.synthesis(wplus, levels)
