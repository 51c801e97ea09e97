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
        on_codes, logs = {}, {}
        total = self.with_code_losses(source_loss + target_loss, [source, target], on_codes, logs)
        optimizer = self.encoder_optimizer()
        optimizer.zero_grad(set_to_none=True)
        self.manual_backward(total)
        optimizer.step()
        logs.update({f"train/loss_{k}": source_parts[k].detach() + target_parts[k].detach() for k in source_parts})
        logs.update({f"train/loss_{k}": v.detach() for k, v in on_codes.items()})
        logs["train/loss"] = total.detach()
        self.log_dict(logs, prog_bar=True)
        return total.detach()
