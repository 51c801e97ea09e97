"""An encoder (pSp / e4e) trained to invert the clean images of a labelled dataset into a
frozen StyleGAN2's W+: the LW paper's source of latent codes ("real images projected with
pSp"), so edits are learnt on codes whose labels are the images' own."""

from __future__ import annotations

import torch

from ganlab.methods.inversion.inversion_training import InversionTraining
from ganlab.metrics.reconstruction import psnr
from ganlab.nets.inverters.base import Inversion
from ganlab.nets.mode import evaluating
from ganlab.reports.grid import Grid


class ImageInversion(InversionTraining):
    """Batches are (images, labels); the labels are not used. Calling the module inverts:
    `module(x, generator=None) -> Inversion` (its own generator by default), the inverter
    API that `data.source=invert` expects."""

    def forward(self, x: torch.Tensor, generator=None) -> Inversion:
        return self.inverter(x, self.generator if generator is None else generator)

    def training_step(self, batch, batch_idx):
        inversion = self.invert(batch[0])
        loss, parts = self.reconstruction_loss(batch[0], inversion)
        logs = {}
        loss = self.with_code_losses(loss, [inversion], parts, logs)
        return self.step_encoder(loss, parts, logs)

    def validation_step(self, batch, batch_idx):
        inversion = self.invert(batch[0])
        self.log_dict({"val/psnr": psnr(inversion.image, batch[0]),
                       "val/loss": self.reconstruction_loss(batch[0], inversion)[0]}, prog_bar=True)

    def test_step(self, batch, batch_idx):  # the zoo's held-out score
        self.log("test/psnr", psnr(self.invert(batch[0]).image, batch[0]))

    def sample_grid(self):
        """Pairs of columns: a validation image, its inversion."""
        val = self.trainer.datamodule.split("val")
        x = val[torch.arange(min(self.grid_images, len(val)))][0].to(self.device)
        with evaluating(self.inverter):
            rows = torch.stack([x, self.invert(x).image], 1)
        return Grid(rows.flatten(0, 1), 2, ["image", "inversion"]), "validation images and their inversions"
