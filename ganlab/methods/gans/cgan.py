"""Conditional GAN training (IcGAN step 1):
min_G max_D E[log D(x, y)] + E[log(1 - D(G(z, y'), y'))], y' drawn from the training
labels. The generator uses the non-saturating loss, as DCGAN and IcGAN did."""

from __future__ import annotations

import pytorch_lightning as pl
import torch
import torch.nn.functional as F
from torch import nn

from ganlab.nets.mode import evaluating
from ganlab.randomness import randint, randn, step_generator
from ganlab.reports.grid import Grid


class ConditionalGAN(pl.LightningModule):
    def __init__(self, generator: nn.Module, discriminator: nn.Module, optimizer_g, optimizer_d,
                 seed: int = 0, grid_rows: int = 8):
        super().__init__()
        self.automatic_optimization = False
        self.generator, self.discriminator = generator, discriminator
        self.optimizer_g, self.optimizer_d = optimizer_g, optimizer_d
        self.seed, self.grid_rows = seed, grid_rows
        self.z_dim, self.y_dim = generator.z_dim, generator.y_dim
        # The empirical label distribution y' is drawn from; saved with the weights so a
        # loaded generator samples like the trained one.
        self.register_buffer("label_prior", torch.zeros(0, self.y_dim))

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        # The prior's length is the training set's size: take it from the checkpoint (this
        # hook also runs when the cGAN is loaded as part of a later stage).
        saved = state_dict.get(prefix + "label_prior")
        if saved is not None:
            self.label_prior = torch.empty_like(saved, device=self.label_prior.device)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    def on_fit_start(self) -> None:
        if self.y_dim == 0:  # an unconditional GAN ignores the data's labels
            return
        labels = self.trainer.datamodule.train_labels()
        if labels.shape[1] != self.y_dim:
            raise ValueError(f"generator.y_dim={self.y_dim} but the data's labels have {labels.shape[1]} entries")
        self.label_prior = labels.to(self.device)

    def configure_optimizers(self):
        return [self.optimizer_g(self.generator.parameters()), self.optimizer_d(self.discriminator.parameters())]

    def sample_labels(self, n: int, g: torch.Generator) -> torch.Tensor:
        if self.y_dim == 0:
            return torch.zeros(n, 0, device=self.device)
        if len(self.label_prior) == 0:
            raise RuntimeError("label_prior is empty: train the model or load its weights first")
        return self.label_prior[randint(len(self.label_prior), n, g, self.device)]

    def sample(self, n: int, y: torch.Tensor | None = None, seed: int = 0,
               batch_size: int | None = None) -> torch.Tensor:
        """n images in [-1, 1]; y defaults to draws from the training label distribution.
        `batch_size` bounds memory (same images whatever its value)."""
        g = torch.Generator().manual_seed(seed)
        z = randn((n, self.z_dim), g, self.device)
        y = self.sample_labels(n, g) if y is None else y.to(self.device)
        step = batch_size or n
        with evaluating(self.generator):
            return torch.cat([self.generator(z[i : i + step], y[i : i + step]) for i in range(0, n, step)])

    def training_step(self, batch, batch_idx):
        x, y = batch
        opt_g, opt_d = self.optimizers()
        g = step_generator(self.seed, self.current_epoch, batch_idx)
        z = randn((x.shape[0], self.z_dim), g, self.device)
        y_fake = self.sample_labels(x.shape[0], g)
        fake = self.generator(z, y_fake)

        d_real, d_fake = self.discriminator(x, y), self.discriminator(fake.detach(), y_fake)
        loss_d = F.softplus(-d_real).mean() + F.softplus(d_fake).mean()
        opt_d.zero_grad(set_to_none=True)
        self.manual_backward(loss_d)
        opt_d.step()

        loss_g = F.softplus(-self.discriminator(fake, y_fake)).mean()
        opt_g.zero_grad(set_to_none=True)
        self.manual_backward(loss_g)
        opt_g.step()

        self.log_dict({"train/loss_d": loss_d, "train/loss_g": loss_g,
                       "train/d_real": torch.sigmoid(d_real).mean(), "train/d_fake": torch.sigmoid(d_fake).mean()},
                      prog_bar=True, on_step=True, on_epoch=True)
        return loss_d + loss_g

    def sample_grid(self) -> tuple[Grid, str]:
        """Fixed z per row; for one-hot labels one column per class, else prior draws.
        Unconditional: a fresh z in every cell."""
        g = torch.Generator().manual_seed(self.seed)
        rows = self.grid_rows
        if not self.y_dim:
            with evaluating(self.generator):
                images = self.generator(randn((rows * 8, self.z_dim), g, self.device))
            return Grid(images, 8), "unconditional samples, a fresh z in every cell"
        if len(self.label_prior) and bool((self.label_prior.sum(1) == 1).all()):
            cols = self.y_dim
            y = torch.eye(cols, device=self.device).repeat(rows, 1)
            columns, shows = list(self.trainer.datamodule.label_spec.names), "one z per row, one class per column"
        else:
            cols = 8
            y = self.sample_labels(rows * cols, g)
            columns, shows = None, "one z per row, labels drawn from the label prior"
        z = randn((rows, self.z_dim), g, self.device).repeat_interleave(cols, 0)
        with evaluating(self.generator):
            return Grid(self.generator(z, y), cols, columns), shows
