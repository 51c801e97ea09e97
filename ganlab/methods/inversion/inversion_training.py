"""What the inversion-training modules share (UDA-inversion and the supervised pSp / e4e /
HFGI baselines): a frozen StyleGAN2, an inverter built for it, the source reconstruction
losses (a dict of weighted losses, logged as train/loss_<name>; its `synthetic` entry, a
latent loss on generated images, and its `adversarial` entry, e4e's latent discriminator with
its own optimizer, are added to every training step apart), and validation that
scores both domains against the clean images (val/psnr_src, val/psnr_trg; monitoring
only: the unsupervised method never selects a checkpoint on paired target data)."""

from __future__ import annotations

import logging

import pytorch_lightning as pl
import torch
from torch import nn

from ganlab.methods.inversion.inversion_parts import check_trainable, frozen_part, trained_part
from ganlab.metrics.reconstruction import psnr
from ganlab.nets.inverters.base import Inversion
from ganlab.nets.mode import evaluating
from ganlab.reports.grid import Grid

log = logging.getLogger("ganlab")
LR_DECAYS = ("none", "cosine")


@torch.no_grad()
def set_w_avg(generator: nn.Module, n: int = 4096, seed: int = 0) -> None:
    """Mean W of a generator that does not carry one (a randomly initialised one in tests)."""
    device = generator.input.input.device
    z = torch.randn(n, generator.style_dim, generator=torch.Generator().manual_seed(seed)).to(device)
    generator.set_w_avg(generator.style(z).mean(0))


class InversionTraining(pl.LightningModule):
    # why a subclass trained without the target domain refuses loss.discrepancy (None: it takes it)
    without_discrepancy: str | None = None

    def __init__(self, generator: nn.Module, inverter, losses: dict, optimizer, seed: int = 0,
                 image_size: int | None = None, grid_images: int = 8, trainable: str = "all",
                 base_image_loss: bool = True, lr_decay: str = "none"):
        """inverter: a partial config, a module, or an earlier inversion stage (whose inverter
        this stage trains on); seed: the encoder's initialisation (and a run's cache key: seeds
        train apart); image_size: the data's (default: the generator's; smaller pools its output
        down); trainable: the part trained (ganlab.methods.inversion.inversion_parts), the rest frozen;
        base_image_loss: score an HFGI inversion's base image too (off where the base is frozen);
        lr_decay: "none" (a constant rate) or "cosine" (to 0 over the stage's steps)."""
        if self.without_discrepancy and "discrepancy" in dict(losses):
            raise ValueError(self.without_discrepancy)
        if lr_decay not in LR_DECAYS:
            raise ValueError(f"lr_decay must be one of {LR_DECAYS}, got {lr_decay!r}")
        super().__init__()
        self.automatic_optimization = False
        self.generator = generator.requires_grad_(False).eval()
        if not generator.w_avg_initialized:
            log.info("generator has no w_avg: using the mean of 4096 mapped z (seed 0)")
            set_w_avg(generator)
        if isinstance(inverter, InversionTraining):
            inverter = inverter.inverter
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.inverter = inverter if isinstance(inverter, nn.Module) else inverter(generator=generator,
                                                                                      image_size=image_size)
        self.seed = seed
        losses = {k: v for k, v in dict(losses).items() if v is not None}
        self.synthetic = losses.pop("synthetic", None)
        self.adversarial = losses.pop("adversarial", None)
        if self.adversarial is not None and self.adversarial.weight == 0:
            self.adversarial = None  # off: no D_W to build, train or checkpoint
        if self.adversarial is not None:
            self.adversarial.build(generator.style_dim)
        self.losses = nn.ModuleDict(losses)
        self.optimizer, self.grid_images = optimizer, grid_images
        check_trainable(trainable, self.inverter)
        self.trainable, self.base_image_loss, self.lr_decay = trainable, base_image_loss, lr_decay
        self.trained = trained_part(self.inverter, trainable)
        self.frozen = frozen_part(self.inverter, trainable)
        self.trained.requires_grad_(True)  # an earlier stage may have frozen it
        if self.frozen is not None:
            self.frozen.requires_grad_(False)
        if trainable == "residual":  # the codes are fixed: a loss on them trains nothing
            on_codes = [name for name, loss in self.losses.items() if not loss.on_image and loss.weight > 0]
            on_codes += [name for name, loss in (("synthetic", self.synthetic), ("adversarial", self.adversarial))
                         if loss is not None and loss.weight > 0]
            if on_codes:
                raise ValueError(f"trainable=residual keeps the base code frozen, so loss {on_codes} trains "
                                 "nothing; leave it out of this stage's losses")

    def train(self, mode: bool = True):
        super().train(mode)
        self.generator.eval()  # frozen
        if self.frozen is not None:
            self.frozen.eval()
        return self

    def on_fit_start(self) -> None:
        size = self.trainer.datamodule.image_size
        if size != self.inverter.image_size:
            raise ValueError(f"data.image_size={size} but the inverter was built for {self.inverter.image_size} px "
                             f"images (the generator makes {self.generator.size} px)")

    def auxiliary_optimizers(self) -> list:
        """The optimizers after the encoder's (first) one: D_W's (Adam, as e4e), where there is one."""
        if self.adversarial is None:
            return []
        return [torch.optim.Adam(self.adversarial.discriminator.parameters(), lr=self.adversarial.lr)]

    def configure_optimizers(self):
        optimizer = self.optimizer(self.trained.parameters())  # the part this stage trains (`trainable`)
        optimizers = [optimizer, *self.auxiliary_optimizers()]
        if self.lr_decay == "none":
            return optimizers
        steps = max(1, int(self.trainer.estimated_stepping_batches))
        return optimizers, [torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)]

    def step_encoder(self, total: torch.Tensor, parts: dict, logs: dict) -> torch.Tensor:
        """One step of the encoder's optimizer on total; logs `logs`, each part as
        train/loss_<name> and total as train/loss. Returns total, detached."""
        optimizers = self.optimizers()
        optimizer = optimizers[0] if isinstance(optimizers, list) else optimizers  # D_W's, where any, come after
        optimizer.zero_grad(set_to_none=True)
        self.manual_backward(total)
        optimizer.step()
        logs.update({f"train/loss_{k}": v.detach() for k, v in parts.items()})
        logs["train/loss"] = total.detach()
        self.log_dict(logs, prog_bar=True)
        return total.detach()

    def on_train_batch_start(self, batch, batch_idx) -> None:
        # e4e's progressive training follows the batch count (restored on resume), not global_step,
        # which counts D_W's optimizer steps too
        if hasattr(self.trained, "set_progressive_stage"):
            self.trained.set_progressive_stage(self.trainer.fit_loop.epoch_loop.total_batch_idx)

    def on_train_batch_end(self, outputs, batch, batch_idx) -> None:
        if hasattr(self.trained, "set_progressive_stage"):
            self.trained.set_progressive_stage(None)  # validation and evaluation use every offset
        # optimisation is manual, so the schedule is stepped here: once per batch
        if self.lr_decay != "none":
            self.lr_schedulers().step()

    def invert(self, x: torch.Tensor) -> Inversion:
        if self.trainable == "base":  # HFGI's first stage: the e4e base on its own
            return self.inverter.base(x, self.generator)
        return self.inverter(x, self.generator)

    def reconstruction_loss(self, target: torch.Tensor, inversion: Inversion) -> tuple[torch.Tensor, dict]:
        """Weighted sum of the source losses, and each term. An HFGI inversion is scored on
        its fused image and, with base_image_loss, on its base image (so the code alone stays a
        good inversion; HFGI's second stage, with the base frozen, has no such term)."""
        parts = {}
        for name, loss in self.losses.items():
            if loss.weight == 0:
                continue
            value = loss(target, inversion.image, inversion)
            if self.base_image_loss and inversion.base_image is not None and loss.on_image:
                value = value + loss(target, inversion.base_image, inversion)
            parts[name] = value
        total = sum(parts.values()) if parts else target.new_zeros(())
        return total, parts

    def with_code_losses(self, total: torch.Tensor, inversions: list[Inversion], parts: dict,
                         logs: dict) -> torch.Tensor:
        """total plus the losses on codes that a step adds apart: the latent loss on generated
        images, then e4e's latent adversarial term on these inversions' codes after one step of
        D_W on them (each where the stage has it). Recorded in parts["synthetic"] and
        parts["adversarial"], D_W's own losses in logs."""
        if self.synthetic is not None and self.synthetic.weight > 0:
            parts["synthetic"] = self.synthetic(self.inverter, self.generator)
            total = total + parts["synthetic"]
        if self.adversarial is not None:
            wplus = torch.cat([inversion.wplus for inversion in inversions])
            logs.update(self.adversarial.discriminator_step(self.generator, wplus, self.optimizers()[-1],
                                                            self.manual_backward))
            parts["adversarial"] = self.adversarial(wplus)
            total = total + parts["adversarial"]
        return total

    def validation_step(self, batch, batch_idx):
        source, target = self.invert(batch.source), self.invert(batch.target)
        self.log_dict({"val/psnr_src": psnr(source.image, batch.source),
                       "val/psnr_trg": psnr(target.image, batch.target_clean),
                       "val/loss": self.reconstruction_loss(batch.source, source)[0]}, prog_bar=True)

    def sample_grid(self):
        """Columns: HQ, LQ, inversion of HQ, inversion of LQ (first val images)."""
        batch = next(self.trainer.datamodule.pairs("val", self.grid_images))
        with evaluating(self.inverter):
            source = self.invert(batch.source.to(self.device)).image
            target = self.invert(batch.target.to(self.device)).image
        rows = torch.stack([batch.source.to(self.device), batch.target.to(self.device), source, target], 1)
        columns = ["HQ (source)", "LQ (target)", "inversion of HQ", "inversion of LQ"]
        return Grid(rows.flatten(0, 1), 4, columns), "validation pairs and their inversions"
