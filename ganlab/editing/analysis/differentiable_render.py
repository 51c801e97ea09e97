"""G(w) with gradients, for edits trained through the generator."""

from __future__ import annotations

import torch

from ganlab.data.code_render import to_wplus


def draw(generator, codes: torch.Tensor) -> torch.Tensor:
    """G(w) with gradients and fixed noise (render_codes is no_grad and clamps)."""
    return generator.synthesis(to_wplus(codes, generator.n_latent), randomize_noise=False)
