"""A latent loss on generated images, whose codes are known: sample z, w = mapping(z),
x = G(w) (w on every W+ layer), and penalise the encoder's codes for x against w:

    weight * mean over layers and coordinates of (E(x) - w)^2

Not one of the papers' losses (pSp, e4e, HFGI and UDA-inversion train on images only):
they train for hundreds of thousands of steps, the recipes here for hundreds, and this
direct target for the codes is what moves an encoder off the mean code in that budget.
The generated images are clean (source-domain) images, so UDA-inversion's target domain
stays unsupervised. weight 0 turns it off."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ganlab.randomness import randn


class SyntheticCodeLoss(nn.Module):
    def __init__(self, weight: float = 1.0, batch_size: int = 8, seed: int = 0):
        super().__init__()
        if weight < 0:
            raise ValueError(f"loss.synthetic.weight must be >= 0, got {weight}")
        if batch_size < 1:
            raise ValueError(f"loss.synthetic.batch_size must be >= 1, got {batch_size}")
        self.weight, self.batch_size, self.seed = float(weight), batch_size, seed
        # Draws so far, saved with the module: the k-th draw is a function of (seed, k), so a
        # resumed run samples what an uninterrupted one would.
        self.register_buffer("draws", torch.zeros((), dtype=torch.long))

    @torch.no_grad()
    def sample(self, generator: nn.Module, image_size: int) -> tuple[torch.Tensor, torch.Tensor]:
        """(W+ codes [B, n_latent, D], their images at image_size)."""
        device = generator.w_avg.device
        rng = torch.Generator().manual_seed(self.seed * 1_000_003 + int(self.draws))
        self.draws += 1
        w = generator.style(randn((self.batch_size, generator.style_dim), rng, device))
        wplus = w[:, None].expand(-1, generator.n_latent, -1).contiguous()
        noise = [randn((self.batch_size, 1, r, r), rng, device)
                 for r in (generator.layer_resolution(i) for i in range(generator.num_layers))]
        images = generator.synthesis(wplus, noise=noise)
        if images.shape[-1] != image_size:
            images = F.adaptive_avg_pool2d(images, image_size)
        return wplus, images

    def forward(self, inverter: nn.Module, generator: nn.Module) -> torch.Tensor:
        wplus, images = self.sample(generator, inverter.image_size)
        return self.weight * F.mse_loss(inverter.encode(images, generator), wplus)
