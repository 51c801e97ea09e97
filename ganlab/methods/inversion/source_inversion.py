"""An inverter trained on the source domain alone (HQ images, reconstruction losses):
HFGI's first stage, its e4e base (trainable=base), as the UDA-inversion authors start from
an e4e trained on the source faces before their objective trains the residual branch."""

from __future__ import annotations

from ganlab.methods.inversion.inversion_training import InversionTraining


class SourceInversion(InversionTraining):
    without_discrepancy = (
        "loss.discrepancy needs the target domain; a source-only stage takes the reconstruction losses alone"
    )

    def training_step(self, batch, batch_idx):
        source = self.invert(batch.source)
        total, parts = self.reconstruction_loss(batch.source, source)
        logs = {}
        total = self.with_code_losses(total, [source], parts, logs)
        return self.step_encoder(total, parts, logs)
