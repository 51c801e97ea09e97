"""Train a W encoder (ganlab.nets.w_encoder) against a frozen pretrained StyleGAN2
generator, for SCGAN's self-labels and edits:

- generated pairs (w, G(w)), w = mapping(z):  latent_weight * |E(G(w)) - w|^2 / var(W)
  + image_weight * |G(E(G(w))) - G(w)|^2  (the code that matters is one that redraws the image);
- real images x:  real_weight * |G(E(x)) - x|^2.

Images are drawn with the generator's stored noise maps (an inversion explains an image by
its code alone). All random draws come from step_generator (resume-safe)."""

from __future__ import annotations

import pytorch_lightning as pl
import torch
import torch.nn.functional as F

from ganlab.nets.mode import evaluating
from ganlab.nets.stylegan2 import Generator
from ganlab.nets.w_encoder import WEncoder
from ganlab.randomness import randn, step_generator
from ganlab.reports.grid import Grid


class WInversion(pl.LightningModule):
    def __init__(self, generator: Generator, encoder, optimizer, latent_weight: float = 1.0,
                 image_weight: float = 1.0, real_weight: float = 1.0, seed: int = 0):
        """encoder: a WEncoder partial; the generator fills in its W size, resolution and channels."""
        super().__init__()
        self.encoder: WEncoder = encoder(style_dim=generator.style_dim, image_size=generator.size,
                                         channels=generator.img_channels)
        self.generator, self.optimizer = generator.eval().requires_grad_(False), optimizer
        self.latent_weight, self.image_weight, self.real_weight = latent_weight, image_weight, real_weight
        self.seed = seed
        with torch.no_grad():
            w = generator.style(torch.randn(4096, generator.style_dim, generator=torch.Generator().manual_seed(seed)))
        self.register_buffer("w_var", w.var(0).mean())
        self.encoder.set_w_avg(generator.w_avg if generator.w_avg_initialized else w.mean(0))

    def train(self, mode: bool = True):
        super().train(mode)
        self.generator.eval()
        return self

    def configure_optimizers(self):
        return self.optimizer(self.encoder.parameters())

    def draw(self, w: torch.Tensor) -> torch.Tensor:
        return self.generator.synthesis(w.unsqueeze(1).expand(-1, self.generator.n_latent, -1))

    def _losses(self, real: torch.Tensor, g: torch.Generator) -> dict[str, torch.Tensor]:
        with torch.no_grad():
            w = self.generator.style(randn((real.shape[0], self.generator.style_dim), g, self.device))
            fake = self.draw(w)
        w_hat = self.encoder(fake)
        losses = {"latent": self.latent_weight * F.mse_loss(w_hat, w) / self.w_var}
        if self.image_weight:
            losses["image"] = self.image_weight * F.mse_loss(self.draw(w_hat), fake)
        if self.real_weight:
            losses["real"] = self.real_weight * F.mse_loss(self.draw(self.encoder(real)), real)
        return losses

    def training_step(self, batch, batch_idx):
        losses = self._losses(batch[0], step_generator(self.seed, self.current_epoch, batch_idx))
        self.log_dict({f"train/loss_{k}": v for k, v in losses.items()}, prog_bar=True)
        return sum(losses.values())

    def validation_step(self, batch, batch_idx):
        x = batch[0]
        self.log("val/loss", F.mse_loss(self.draw(self.encoder(x)), x), prog_bar=True)

    @torch.no_grad()
    def invert(self, x: torch.Tensor, batch_size: int = 256) -> torch.Tensor:
        """Real images [N, C, S, S] -> W codes [N, D] (eval mode, batched)."""
        with evaluating(self.encoder):
            return torch.cat([self.encoder(chunk.to(self.device)) for chunk in x.split(batch_size)])

    def sample_grid(self):
        """Real val images above their reconstructions G(E(x))."""
        val = self.trainer.datamodule.split("val")
        x = val[torch.arange(min(8, len(val)))][0].to(self.device)
        with torch.no_grad():
            images = torch.cat([x, self.draw(self.invert(x))])
        return Grid(images, len(x), rows=["real", "G(E(x))"]), "validation images above their reconstructions"
