"""Optimization-based inversion (Image2StyleGAN, Abdal et al. 2019): Adam on W+ (or W)
from the generator's mean code, minimising mse_weight * MSE + lpips_weight * LPIPS for
`steps` steps. Each image's loss is summed, so its code does not depend on the batch.
`refine` starts from another inverter's result (the hybrid inverter)."""

from __future__ import annotations

import torch
from torch import nn

from ganlab.nets.inverters.base import Inversion, Inverter, mean_code

SPACES = ("w+", "w")


class OptimizationInverter(Inverter):
    def __init__(self, generator: nn.Module, perceptual: nn.Module | None = None, steps: int = 200,
                 lr: float = 0.05, space: str = "w+", mse_weight: float = 1.0, lpips_weight: float = 1.0,
                 image_size: int | None = None):
        super().__init__(generator, image_size)
        if space not in SPACES:
            raise ValueError(f"inverter.space must be one of {SPACES}, got {space!r}")
        if steps < 1:
            raise ValueError(f"inverter.steps must be >= 1, got {steps}")
        if lpips_weight > 0 and perceptual is None:
            raise ValueError("inverter.lpips_weight > 0 needs inverter.perceptual (an LPIPS net)")
        self.perceptual = perceptual
        self.steps, self.lr, self.space = steps, lr, space
        self.mse_weight, self.lpips_weight = mse_weight, lpips_weight

    def loss(self, x: torch.Tensor, image: torch.Tensor) -> torch.Tensor:
        """Summed over images: [B] losses -> scalar."""
        loss = self.mse_weight * (image - x).pow(2).flatten(1).mean(1)
        if self.lpips_weight > 0:
            loss = loss + self.lpips_weight * self.perceptual(image, x)
        return loss.sum()

    def refine(self, x: torch.Tensor, generator: nn.Module, start: Inversion) -> Inversion:
        self.check(x, generator)
        code = start.wplus.detach()
        if self.space == "w":
            code = code.mean(1, keepdim=True)
        code = code.clone().requires_grad_(True)
        optimizer = torch.optim.Adam([code], lr=self.lr)
        x = x.detach()
        with torch.enable_grad():  # also when called under no_grad (evaluation)
            for _ in range(self.steps):
                image = start.render(generator, code.expand(-1, self.n_latent, -1))
                loss = self.loss(x, image)
                optimizer.zero_grad(set_to_none=True)
                loss.backward(inputs=[code])
                optimizer.step()
        wplus = code.detach().expand(-1, self.n_latent, -1).contiguous()
        with torch.no_grad():
            image = start.render(generator, wplus)
        return Inversion(wplus, image, features=start.features)

    def forward(self, x: torch.Tensor, generator: nn.Module) -> Inversion:
        start = mean_code(generator).expand(len(x), self.n_latent, -1)
        return self.refine(x, generator, Inversion(start, x))
