"""Stop at the first non-finite loss with a message that says where, instead of
training on garbage (and, in a sweep, report the trial as failed)."""

from __future__ import annotations

import pytorch_lightning as pl
import torch


class NonFiniteLossError(FloatingPointError):
    pass


class NaNGuard(pl.Callback):
    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        loss = outputs.get("loss") if isinstance(outputs, dict) else outputs  # manual optimisation may return none
        if loss is None or bool(torch.isfinite(torch.as_tensor(loss)).all()):
            return
        logged = {k: float(v) for k, v in trainer.callback_metrics.items() if k.startswith("train/") and v.numel() == 1}
        ckpt = getattr(trainer.checkpoint_callback, "last_model_path", "") or "none yet"
        raise NonFiniteLossError(
            f"non-finite loss at epoch {trainer.current_epoch}, batch {batch_idx}: {logged}. "
            f"Last good checkpoint: {ckpt} (resume with ckpt_path=...; lower the learning rate?)")
