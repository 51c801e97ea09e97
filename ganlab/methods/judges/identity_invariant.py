"""The attribute-invariant identity net of synthfaces, the judge of edits (ArcFace's role):
trained as face-recognition nets are, so that one person under other attributes (glasses,
skin, hair colour, a smile) embeds alike and two people do not. The factor-regression net
cannot be that judge: a pale face hides its skin tone, so even a perfect Pale_Skin edit
moves its predicted factors (its ground-truth-counterfactual similarity is ~0.86).

Each training image x = render(a, id) gets a positive render(a', id) with fresh attributes
a' from the data's prior; the embeddings learn by a symmetric InfoNCE over the batch (the
other people are the negatives). The factor head keeps the regression as an auxiliary task,
so R^2 is still reported; `similarity` uses the embedding head."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ganlab.data.resize import to_signed
from ganlab.data.synthfaces import IDENTITY_FACTORS, render, sample_attributes
from ganlab.methods.judges.identity import IdentityNet
from ganlab.randomness import step_generator


class InvariantIdentityNet(IdentityNet):
    def __init__(self, net: nn.Module, optimizer, image_size: int = 32, temperature: float = 0.1,
                 contrastive_weight: float = 1.0, seed: int = 0):
        """net: outputs [B, 16 + D]: the 16 identity-factor predictions, then a D-dim embedding."""
        super().__init__(net, optimizer)
        self.factor_dim = len(IDENTITY_FACTORS)
        out_dim = getattr(net, "out_dim", None)
        if out_dim is not None and out_dim <= self.factor_dim:
            raise ValueError(f"the invariant identity net needs out_dim > {self.factor_dim} "
                             f"(16 factors + an embedding), got {out_dim}")
        self.image_size, self.temperature, self.contrastive_weight, self.seed = (
            image_size, temperature, contrastive_weight, seed)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)[:, : self.factor_dim]

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        return F.normalize(self.net(x)[:, self.factor_dim :], dim=1)

    def _same_people(self, factors: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        """The batch's identities rendered with attributes drawn afresh from the prior."""
        attributes = sample_attributes(len(factors), g)
        return to_signed(render(attributes, factors.cpu(), self.image_size)).to(self.device)

    def _step(self, batch, prefix: str, batch_idx: int):
        x, factors = batch
        salt = {"train": 0, "val": 1, "test": 2}[prefix]
        g = step_generator(self.seed, self.current_epoch if prefix == "train" else 0, batch_idx, salt)
        out = self.net(torch.cat([x, self._same_people(factors, g)]))
        pred, emb = out[:, : self.factor_dim], F.normalize(out[:, self.factor_dim :], dim=1)
        loss_factors = F.mse_loss(pred, factors.repeat(2, 1))
        anchor, positive = emb.chunk(2)
        logits = anchor @ positive.T / self.temperature
        target = torch.arange(len(x), device=self.device)
        loss_nce = (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2
        with torch.no_grad():
            same = (anchor * positive).sum(1).mean()
            other = (anchor * positive.roll(1, 0)).sum(1).mean()
            accuracy = (logits.argmax(1) == target).float().mean()
        loss = loss_factors + self.contrastive_weight * loss_nce
        logged = {"loss_id": loss, "loss_factors": loss_factors, "loss_nce": loss_nce, "sim_same": same,
                  "sim_other": other, "match_accuracy": accuracy}
        self.log_dict({f"{prefix}/{k}": v for k, v in logged.items()}, prog_bar=prefix == "train")
        return loss
