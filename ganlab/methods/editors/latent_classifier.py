"""Train the latent classifier C(w) on labelled latent codes (the Latent Transformer's
pre-training step): binary cross-entropy per attribute, or cross-entropy over classes.
C is the guide of LT and the attribute space of LW's disentanglement loss, and a second
judge of edits (the LW paper's point: LT fools C while the image does not change)."""

from __future__ import annotations

import pytorch_lightning as pl
import torch
import torch.nn.functional as F

from ganlab.data.code_render import to_wplus
from ganlab.nets.latent_classifier import LatentMLP


class LatentClassifier(pl.LightningModule):
    def __init__(self, latent_dim: int, n_latent: int, num_labels: int, label_kind: str, optimizer,
                 scheduler=None, hidden: list[int] = (2048, 512)):
        """An MLP on codes flattened from W+ ([N, n_latent * latent_dim]) -> logits [N, K]. W
        codes are broadcast to W+ first, so C also reads the layer-wise codes LT produces."""
        super().__init__()
        if label_kind not in ("binary", "categorical"):
            raise ValueError(f"the latent classifier needs binary or categorical labels, got {label_kind!r}")
        self.net = LatentMLP(n_latent * latent_dim, num_labels, list(hidden))
        self.label_kind, self.n_latent = label_kind, n_latent
        self.optimizer, self.scheduler = optimizer, scheduler

    def forward(self, codes: torch.Tensor) -> torch.Tensor:
        return self.net(to_wplus(codes, self.n_latent).flatten(1))

    def probabilities(self, logits: torch.Tensor) -> torch.Tensor:
        return logits.softmax(1) if self.label_kind == "categorical" else logits.sigmoid()

    def predict(self, codes: torch.Tensor, batch_size: int = 4096) -> torch.Tensor:
        """Hard labels (0/1 per attribute, or one-hot) of codes, without gradients."""
        with torch.no_grad():
            logits = torch.cat([self(codes[i : i + batch_size].to(self.device))
                                for i in range(0, len(codes), batch_size)])
        if self.label_kind == "categorical":
            return F.one_hot(logits.argmax(1), logits.shape[1]).float()
        return (logits > 0).float()

    def freeze(self) -> LatentClassifier:
        """A fixed judge inside an editor: no gradients to its weights, eval mode."""
        self.requires_grad_(False)
        return self.eval()

    def loss(self, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        if self.label_kind == "categorical":
            return F.cross_entropy(logits, labels.argmax(1))
        return F.binary_cross_entropy_with_logits(logits, labels)

    def accuracy(self, logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        if self.label_kind == "categorical":
            return (logits.argmax(1) == labels.argmax(1)).float().mean()
        return ((logits > 0).float() == labels).float().mean()

    def _step(self, batch, prefix: str):
        codes, labels = batch
        logits = self(codes)
        loss = self.loss(logits, labels)
        self.log_dict({f"{prefix}/loss_cls": loss, f"{prefix}/acc": self.accuracy(logits, labels)},
                      prog_bar=prefix == "train", batch_size=len(codes))
        return loss

    def training_step(self, batch, batch_idx):
        return self._step(batch, "train")

    def validation_step(self, batch, batch_idx):
        self._step(batch, "val")

    def test_step(self, batch, batch_idx):
        self._step(batch, "test")

    def configure_optimizers(self):
        optimizer = self.optimizer(self.net.parameters())
        if self.scheduler is None:
            return optimizer
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": self.scheduler(optimizer), "interval": "epoch"}}
