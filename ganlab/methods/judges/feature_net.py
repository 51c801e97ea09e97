"""The domain feature net of an embedded dataset: the stand-in for Inception in FID.

A CNN trained on the data's own labels; its penultimate activations (`features`) are the
embedding FID and precision/recall compare. On synthfaces it is multi-task: the 12
attributes (classified) and the 16 identity factors (regressed, the last `regress_dims`
label columns), so the features see who a face is as well as what it shows."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ganlab.methods.judges.classifier import ImageClassifier
from ganlab.nets.encoders import ConvEncoder
from ganlab.nets.mode import evaluating


class DomainFeatureNet(ImageClassifier):
    def __init__(self, net: ConvEncoder, label_kind: str, optimizer, regress_dims: int = 0,
                 shift_pixels: int = 0, seed: int = 0):
        if not 0 <= regress_dims < net.out_dim:
            raise ValueError(f"regress_dims={regress_dims} must leave at least one classified label "
                             f"(the net has {net.out_dim} outputs)")
        super().__init__(net, label_kind, optimizer, shift_pixels=shift_pixels, seed=seed)
        self.regress_dims = regress_dims
        self.num_features = net.head[-1].in_features

    @torch.no_grad()
    def features(self, x: torch.Tensor) -> torch.Tensor:
        """[B, num_features] embeddings of images in [-1, 1]: the penultimate layer (the
        whole net but the head's last Linear)."""
        with evaluating(self.net):
            return self.net.penultimate(x.to(self.device))

    def _split(self, t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        k = t.shape[1] - self.regress_dims
        return t[:, :k], t[:, k:]

    def loss(self, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        (logits, pred), (labels, target) = self._split(out), self._split(y)
        loss = super().loss(logits, labels)
        return loss + F.mse_loss(pred, target) if self.regress_dims else loss

    def accuracy(self, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return super().accuracy(self._split(out)[0], self._split(y)[0])

    def r2(self, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Mean coefficient of determination of the regressed columns."""
        pred, target = self._split(out)[1], self._split(y)[1]
        residual = ((pred - target) ** 2).sum(0)
        total = ((target - target.mean(0)) ** 2).sum(0).clamp(min=1e-8)
        return (1 - residual / total).mean()

    def validation_step(self, batch, batch_idx):
        x, y = batch
        out = self.net(x)
        scores = {"val/loss_feat": self.loss(out, y), "val/acc": self.accuracy(out, y)}
        if self.regress_dims:
            scores["val/r2"] = self.r2(out, y)
        self.log_dict(scores, prog_bar=True)

    def test_step(self, batch, batch_idx):
        x, y = batch
        out = self.net(x)
        self.log("test/acc", self.accuracy(out, y))
        if self.regress_dims:
            self.log("test/r2", self.r2(out, y))
