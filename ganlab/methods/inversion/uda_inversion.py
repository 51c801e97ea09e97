"""UDA-inversion (Xing et al., arXiv 2211.12123), Algorithm 1. Source = HQ images with a
reconstruction loss; target = unpaired LQ images with no label at all. Each step:

1-2. d = E_src[h_hat'] - E_trg[f*(h_hat')] (ganlab.losses.f_divergence); one ascent step
     on the auxiliary network h';
3-5. L = source loss + lambda * d with the updated h'; one descent step on the encoder's
     trained part (plus the latent loss on generated images, loss.synthetic, where the
     recipe has one). The recipe, as the authors' code, trains HFGI's residual branch
     (trainable=residual) on an e4e base trained and frozen by an earlier stage.

The encoder does not change between steps 1 and 3, so the reconstructions of step 1 are
reused (detached) for the ascent step. The clean version of a target image
(batch.target_clean) is never read here. With loss.discrepancy.weight=0 ("w/o
discrepancy") the target batch is not used either."""

from __future__ import annotations

import torch
from torch import nn

from ganlab.methods.inversion.inversion_training import InversionTraining


class UDAInversion(InversionTraining):
    def __init__(self, generator: nn.Module, inverter, losses: dict, optimizer, optimizer_aux, seed: int = 0,
                 image_size: int | None = None, grid_images: int = 8, trainable: str = "all",
                 base_image_loss: bool = True):
        losses = dict(losses)
        discrepancy = losses.pop("discrepancy", None)
        if discrepancy is None:
            raise ValueError("UDA-inversion needs loss.discrepancy (loss=uda_inversion); set its weight to 0 for "
                             "the ablation without it")
        if losses.get("adversarial") is not None and losses["adversarial"].weight > 0:
            raise ValueError("loss.adversarial (e4e's latent discriminator) trains the base stage "
                             "(method/stage/hfgi_base.yaml); leave it out of the UDA stage's losses")
        super().__init__(generator, inverter, losses, optimizer, seed, image_size, grid_images, trainable,
                         base_image_loss)
        self.discrepancy, self.optimizer_aux = discrepancy, optimizer_aux
        with torch.random.fork_rng(devices=[]):  # h' starts from the run's seed too
            torch.manual_seed(seed + 1)
            for layer in self.discrepancy.auxiliary.modules():
                if hasattr(layer, "reset_parameters"):
                    layer.reset_parameters()

    def auxiliary_optimizers(self) -> list:
        return [self.optimizer_aux(self.discrepancy.auxiliary.parameters())]

    def ascent_step(self, source_images: torch.Tensor, target_images: torch.Tensor, optimizer) -> torch.Tensor:
        """Steps 1-2: one gradient-ascent step of h' on d (the reconstructions held fixed)."""
        d = self.discrepancy(source_images.detach(), target_images.detach())
        optimizer.zero_grad(set_to_none=True)
        self.manual_backward(-d)
        optimizer.step()
        return d.detach()

    def descent_step(self, batch, source, target, optimizer) -> tuple[torch.Tensor, dict]:
        """Steps 3-5: one gradient-descent step of the encoder on source loss + lambda * d."""
        total, parts = self.reconstruction_loss(batch.source, source)
        total = self.with_code_losses(total, [source], parts, {})  # the latent loss (D_W is refused here)
        if target is not None:
            self.discrepancy.auxiliary.requires_grad_(False)  # h' is held fixed here
            d = self.discrepancy(source.image, target.image)
            self.discrepancy.auxiliary.requires_grad_(True)
            parts["discrepancy"] = self.discrepancy.penalty(d)
            total = total + parts["discrepancy"]
        optimizer.zero_grad(set_to_none=True)
        self.manual_backward(total)
        optimizer.step()
        return total.detach(), parts

    def training_step(self, batch, batch_idx):
        opt_encoder, opt_aux = self.optimizers()
        adapt = self.discrepancy.weight > 0
        source = self.invert(batch.source)
        target = self.invert(batch.target) if adapt else None
        logs = {}
        if adapt:
            logs["train/discrepancy_h"] = self.ascent_step(source.image, target.image, opt_aux)
        total, parts = self.descent_step(batch, source, target, opt_encoder)
        logs.update({f"train/loss_{k}": v.detach() for k, v in parts.items()})
        logs["train/loss"] = total
        self.log_dict(logs, prog_bar=True)
        return total
