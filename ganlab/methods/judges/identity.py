"""The identity net of the embedded faces: a CNN that regresses synthfaces' 16 identity
factors from an image (the stand-in for ArcFace). Two images show the same person when
their predicted factors agree: `similarity` is the cosine of the centred predictions."""

from __future__ import annotations

import pytorch_lightning as pl
import torch
import torch.nn.functional as F
from torch import nn

from ganlab.nets.mode import evaluating


class IdentityNet(pl.LightningModule):
    def __init__(self, net: nn.Module, optimizer):
        super().__init__()
        self.net, self.optimizer = net, optimizer

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """Unit-length identity embeddings [B, 16] (centred factor predictions)."""
        return F.normalize(self.net(x) - 0.5, dim=1)

    @torch.no_grad()
    def similarity(self, a: torch.Tensor, b: torch.Tensor, batch_size: int = 512) -> torch.Tensor:
        """Cosine identity similarity of image pairs, [B]; images in [-1, 1]."""
        with evaluating(self.net):
            return torch.cat([(self.embed(a[i : i + batch_size].to(self.device)) *
                               self.embed(b[i : i + batch_size].to(self.device))).sum(1)
                              for i in range(0, len(a), batch_size)])

    def _step(self, batch, prefix: str, batch_idx: int):  # batch_idx: for subclasses that draw per-step noise
        x, factors = batch
        pred = self.net(x)
        loss = F.mse_loss(pred, factors)
        r2 = 1 - ((pred - factors) ** 2).sum(0) / ((factors - factors.mean(0)) ** 2).sum(0).clamp(min=1e-8)
        self.log_dict({f"{prefix}/loss_id": loss, f"{prefix}/r2": r2.mean()}, prog_bar=prefix == "train")
        return loss

    def training_step(self, batch, batch_idx):
        return self._step(batch, "train", batch_idx)

    def validation_step(self, batch, batch_idx):
        self._step(batch, "val", batch_idx)

    def test_step(self, batch, batch_idx):
        self._step(batch, "test", batch_idx)

    def configure_optimizers(self):
        return self.optimizer(self.parameters())
