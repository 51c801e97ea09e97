"""IcGAN step 2: train the encoders against a frozen conditional generator.
E_z learns from generated pairs L = ||z - E_z(G(z, y'))||^2; E_y from real labelled
images L = ||y - E_y(x)||^2 (layouts in ganlab.nets.icgan_inverter)."""

from __future__ import annotations

import pytorch_lightning as pl
import torch

from ganlab.methods.gans.cgan import ConditionalGAN
from ganlab.nets.icgan_inverter import IcGANInverter
from ganlab.nets.mode import evaluating
from ganlab.randomness import randn, step_generator
from ganlab.reports.grid import Grid


class IcGANEncoders(pl.LightningModule):
    def __init__(self, cgan: ConditionalGAN, inverter: IcGANInverter, optimizer, seed: int = 0,
                 generated_per_real: int = 1):
        super().__init__()
        if inverter.z_dim != cgan.z_dim or inverter.y_dim != cgan.y_dim:
            raise ValueError(f"inverter (z_dim={inverter.z_dim}, y_dim={inverter.y_dim}) does not match the "
                             f"generator (z_dim={cgan.z_dim}, y_dim={cgan.y_dim})")
        self.cgan, self.inverter, self.optimizer = cgan, inverter, optimizer
        self.seed, self.generated_per_real = seed, generated_per_real
        self.cgan.requires_grad_(False)

    def train(self, mode: bool = True):
        super().train(mode)
        self.cgan.eval()  # the generator is frozen: keep its BatchNorm statistics fixed
        return self

    def configure_optimizers(self):
        return self.optimizer(self.inverter.parameters())

    def _generated(self, n: int, g: torch.Generator):
        z = randn((n, self.cgan.z_dim), g, self.device)
        y = self.cgan.sample_labels(n, g)
        with torch.no_grad():
            return self.cgan.generator(z, y), z, y

    def _losses(self, batch, g: torch.Generator) -> dict[str, torch.Tensor]:
        x, y = batch
        x_fake, z, y_fake = self._generated(x.shape[0] * self.generated_per_real, g)
        losses = {f"{k}_generated": v for k, v in self.inverter.generated_pair_loss(x_fake, z, y_fake).items()}
        losses.update({f"{k}_real": v for k, v in self.inverter.real_loss(x, y).items()})
        return losses

    def training_step(self, batch, batch_idx):
        losses = self._losses(batch, step_generator(self.seed, self.current_epoch, batch_idx, salt=1))
        total = sum(losses.values())
        self.log_dict({f"train/loss_{k}": v for k, v in losses.items()}, prog_bar=True)
        return total

    def validation_step(self, batch, batch_idx):
        losses = self._losses(batch, step_generator(self.seed, 0, batch_idx, salt=2))
        self.log_dict({f"val/loss_{k}": v for k, v in losses.items()})
        self.log("val/loss", sum(losses.values()), prog_bar=True)

    def encode(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        with evaluating(self.inverter):
            return self.inverter(x.to(self.device))

    def reconstruct(self, x: torch.Tensor) -> torch.Tensor:
        z, y = self.encode(x)
        with torch.no_grad():
            return self.cgan.generator(z, y)

    def sample_grid(self):
        """Real images of the val set above their reconstructions G(E_z(x), E_y(x))."""
        val = self.trainer.datamodule.split("val")
        x = val[torch.arange(min(8, len(val)))][0].to(self.device)
        images = torch.cat([x, self.reconstruct(x)])
        return Grid(images, len(x), rows=["real", "G(E_z, E_y)"]), "validation images above their reconstructions"
