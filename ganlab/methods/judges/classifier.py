"""An image classifier trained on real labelled images. It scores edits independently of
the model that made them (IcGAN edit success, attribute preservation)."""

from __future__ import annotations

import pytorch_lightning as pl
import torch
import torch.nn.functional as F
from torch import nn

from ganlab.data.augment import random_shift
from ganlab.nets.mode import evaluating
from ganlab.randomness import step_generator


class ImageClassifier(pl.LightningModule):
    def __init__(self, net: nn.Module, label_kind: str, optimizer, shift_pixels: int = 0, seed: int = 0):
        super().__init__()
        if label_kind not in ("categorical", "binary"):
            raise ValueError(f"label_kind must be categorical or binary, got {label_kind!r}")
        self.net, self.label_kind, self.optimizer = net, label_kind, optimizer
        self.shift_pixels, self.seed = shift_pixels, seed

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)

    def loss(self, logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        if self.label_kind == "categorical":
            return F.cross_entropy(logits, y.argmax(1))
        return F.binary_cross_entropy_with_logits(logits, y)

    def predict(self, x: torch.Tensor, batch_size: int = 512) -> torch.Tensor:
        """Hard predictions in label form: one-hot (categorical) or 0/1 (binary)."""
        with evaluating(self.net):
            logits = torch.cat([self.net(x[i : i + batch_size].to(self.device)) for i in range(0, len(x), batch_size)])
        if self.label_kind == "categorical":
            return F.one_hot(logits.argmax(1), logits.shape[1]).float()
        return (logits > 0).float()

    def accuracy(self, logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        if self.label_kind == "categorical":
            return (logits.argmax(1) == y.argmax(1)).float().mean()
        return ((logits > 0).float() == y).float().mean()

    def training_step(self, batch, batch_idx):
        x, y = batch
        if self.shift_pixels:
            x = random_shift(x, self.shift_pixels, step_generator(self.seed, self.current_epoch, batch_idx))
        logits = self.net(x)
        loss = self.loss(logits, y)
        self.log_dict({"train/loss_cls": loss, "train/acc": self.accuracy(logits, y)}, prog_bar=True)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        logits = self.net(x)
        self.log_dict({"val/loss_cls": self.loss(logits, y), "val/acc": self.accuracy(logits, y)}, prog_bar=True)

    def test_step(self, batch, batch_idx):
        x, y = batch
        self.log("test/acc", self.accuracy(self.net(x), y))

    def configure_optimizers(self):
        return self.optimizer(self.parameters())
