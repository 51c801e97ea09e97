"""An inverter trained on the source domain alone (HQ images, reconstruction losses):
HFGI's first stage, its e4e base (trainable=base), as the UDA-inversion authors start from
an e4e trained on the source faces before their objective trains the residual branch."""

from __future__ import annotations

from torch import nn

from ganlab.methods.inversion.inversion_training import InversionTraining


class SourceInversion(InversionTraining):
    def __init__(self, generator: nn.Module, inverter, losses: dict, optimizer, seed: int = 0,
                 image_size: int | None = None, grid_images: int = 8, trainable: str = "all",
                 base_image_loss: bool = True):
        if "discrepancy" in dict(losses):
            raise ValueError("loss.discrepancy needs the target domain; a source-only stage takes the "
                             "reconstruction losses alone")
        super().__init__(generator, inverter, losses, optimizer, seed, image_size, grid_images, trainable,
                         base_image_loss)

    def training_step(self, batch, batch_idx):
        total, parts = self.reconstruction_loss(batch.source, self.invert(batch.source))
        total = total + self.synthetic_loss(parts)
        optimizer = self.optimizers()
        optimizer.zero_grad(set_to_none=True)
        self.manual_backward(total)
        optimizer.step()
        logs = {f"train/loss_{k}": v.detach() for k, v in parts.items()}
        logs["train/loss"] = total.detach()
        self.log_dict(logs, prog_bar=True)
        return total.detach()
