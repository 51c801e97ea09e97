"""Save a labelled PNG grid of the module's samples each epoch and send it to the loggers."""

from __future__ import annotations

from pathlib import Path

import pytorch_lightning as pl
import torch
from pytorch_lightning.loggers import TensorBoardLogger, WandbLogger

from ganlab.reports.grid import save_grid


def send_grid(loggers, key: str, grid: torch.Tensor, path: Path, step: int) -> None:
    for logger in loggers:
        if isinstance(logger, WandbLogger):
            logger.log_image(key=key, images=[str(path)], step=step)
        elif isinstance(logger, TensorBoardLogger):
            logger.experiment.add_image(key, grid, global_step=step)


class SampleGrid(pl.Callback):
    """Calls `pl_module.sample_grid() -> (Grid, what it shows)` if the module has one."""

    def __init__(self, dirpath: str, every_n_epochs: int = 1):
        self.dirpath, self.every_n_epochs = Path(dirpath), every_n_epochs

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if not hasattr(pl_module, "sample_grid") or trainer.sanity_checking or not trainer.is_global_zero:
            return
        last = trainer.current_epoch + 1 == trainer.max_epochs
        if (trainer.current_epoch + 1) % self.every_n_epochs and not last:
            return
        grid, shows = pl_module.sample_grid()
        path = self.dirpath / f"epoch_{trainer.current_epoch:04d}.png"
        title = f"{self.dirpath.name}, epoch {trainer.current_epoch} (step {trainer.global_step}): {shows}"
        send_grid(trainer.loggers, "samples", save_grid(grid, path, title), path, trainer.global_step)
