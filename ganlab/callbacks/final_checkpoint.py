"""last.ckpt holds the stage's final weights. Lightning's ModelCheckpoint writes it only
when it checks (after a validation), so with validation every few epochs, or a best-only
schedule, last.ckpt could lag the end of training, and eval.py or a resume would read an
older model."""

from __future__ import annotations

from pathlib import Path

import pytorch_lightning as pl


class FinalCheckpoint(pl.Callback):
    def on_train_end(self, trainer, pl_module) -> None:
        ckpt = trainer.checkpoint_callback
        if ckpt is None or not ckpt.dirpath or trainer.fast_dev_run:
            return
        trainer.save_checkpoint(Path(ckpt.dirpath) / "last.ckpt", weights_only=False)
