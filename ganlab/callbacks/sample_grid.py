"""Save a PNG grid of the module's samples each epoch and send it to the loggers."""

from __future__ import annotations

from pathlib import Path

import pytorch_lightning as pl
import torch
from pytorch_lightning.loggers import TensorBoardLogger, WandbLogger
from torchvision.utils import make_grid, save_image


def save_grid(images: torch.Tensor, ncols: int, path: str | Path) -> torch.Tensor:
    """images in [-1, 1] -> PNG file; returns the grid in [0, 1]."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    grid = make_grid(images.detach().float().cpu().clamp(-1, 1).add(1).div(2), nrow=ncols, padding=1, pad_value=1.0)
    save_image(grid, path)
    return grid


def send_grid(loggers, key: str, grid: torch.Tensor, path: Path, step: int) -> None:
    for logger in loggers:
        if isinstance(logger, WandbLogger):
            logger.log_image(key=key, images=[str(path)], step=step)
        elif isinstance(logger, TensorBoardLogger):
            logger.experiment.add_image(key, grid, global_step=step)


class SampleGrid(pl.Callback):
    """Calls `pl_module.sample_grid() -> (images, ncols)` if the module has one."""

    def __init__(self, dirpath: str, every_n_epochs: int = 1):
        self.dirpath, self.every_n_epochs = Path(dirpath), every_n_epochs

    def on_train_epoch_end(self, trainer: pl.Trainer, pl_module: pl.LightningModule) -> None:
        if not hasattr(pl_module, "sample_grid") or trainer.sanity_checking or not trainer.is_global_zero:
            return
        last = trainer.current_epoch + 1 == trainer.max_epochs
        if (trainer.current_epoch + 1) % self.every_n_epochs and not last:
            return
        images, ncols = pl_module.sample_grid()
        path = self.dirpath / f"epoch_{trainer.current_epoch:04d}.png"
        grid = save_grid(images, ncols, path)
        send_grid(trainer.loggers, "samples", grid, path, trainer.global_step)
