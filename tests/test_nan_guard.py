"""A NaN loss stops training with a message saying where (a sweep then records the trial
as failed and goes on: tests/test_sweeps.py)."""

import pytest
import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader, TensorDataset

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
