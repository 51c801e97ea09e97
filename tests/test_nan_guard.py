"""A NaN loss stops training with a message saying where, and in a sweep the trial
returns NaN (Optuna marks it failed) instead of killing the sweep."""

import pytest
import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader, TensorDataset

from ganlab import entry
from ganlab.callbacks.nan_guard import NaNGuard, NonFiniteLossError


class Exploding(pl.LightningModule):
    def __init__(self):
        super().__init__()
        self.w = torch.nn.Parameter(torch.ones(1))

    def training_step(self, batch, batch_idx):
        loss = (self.w * batch[0]).mean()
        return loss * float("nan") if batch_idx == 2 else loss

    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.1)


def test_nan_loss_stops_with_location():
    data = DataLoader(TensorDataset(torch.ones(8, 1)), batch_size=2)
    trainer = pl.Trainer(max_epochs=1, callbacks=[NaNGuard()], logger=False, enable_progress_bar=False,
                         enable_checkpointing=False, enable_model_summary=False)
    with pytest.raises(NonFiniteLossError, match="epoch 0, batch 2"):
        trainer.fit(Exploding(), data)


def test_sweep_trial_with_nan_returns_nan(monkeypatch, compose_cfg):
    def explode(cfg):
        raise NonFiniteLossError("non-finite loss at epoch 0, batch 1")

    monkeypatch.setattr(entry.run, "train", explode)
    monkeypatch.setattr(entry, "_in_multirun", lambda: True)
    value = entry.run_task("train", compose_cfg("+experiment=icgan"))
    assert value != value  # NaN

    monkeypatch.setattr(entry, "_in_multirun", lambda: False)
    with pytest.raises(NonFiniteLossError):
        entry.run_task("train", compose_cfg("+experiment=icgan"))
