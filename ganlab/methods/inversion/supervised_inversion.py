"""The supervised baselines of UDA-inversion (pSp, e4e, HFGI), retrained as the paper did:
on the same HQ source images plus the target images paired with their clean versions,
i.e. each step reconstructs source HQ -> HQ and target LQ -> its HQ."""

from __future__ import annotations

from ganlab.methods.inversion.inversion_training import InversionTraining


class SupervisedInversion(InversionTraining):
    without_discrepancy = (
        "loss.discrepancy belongs to UDA-inversion; the supervised baselines use "
        "loss=inversion (psp) or loss=inversion_e4e (e4e, hfgi)"
    )

    def training_step(self, batch, batch_idx):
        source, target = self.invert(batch.source), self.invert(batch.target)
        source_loss, source_parts = self.reconstruction_loss(batch.source, source)
        target_loss, target_parts = self.reconstruction_loss(batch.target_clean, target)
        parts, logs = {k: source_parts[k] + target_parts[k] for k in source_parts}, {}
        total = self.with_code_losses(source_loss + target_loss, [source, target], parts, logs)
        return self.step_encoder(total, parts, logs)
