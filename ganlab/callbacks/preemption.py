"""Save a checkpoint at the end of the batch in which a preemption signal arrived, then
stop the run; and keep the training loader's count of used batches, so a checkpoint taken
mid-epoch resumes exactly (ganlab.data.base.ResumableLoader)."""

from __future__ import annotations

from pathlib import Path

import pytorch_lightning as pl
import torch

from ganlab import preemption
from ganlab.distributed import rank_and_world


class Preemption(pl.Callback):
    def on_train_start(self, trainer, pl_module) -> None:
        # Lightning put its own SIGTERM handler in front (it would stop at the epoch's end
        # with exit code 0 and no checkpoint); this stage's signals are noted by ganlab's.
        preemption.listen()

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        loader = trainer.train_dataloader
        if hasattr(loader, "consumed"):
            loader.consumed = batch_idx + 1
        signum = _agreed(preemption.received(), pl_module.device)
        if signum is None:
            return
        ckpt = trainer.checkpoint_callback
        folder = Path(ckpt.dirpath) if ckpt is not None and ckpt.dirpath else Path(trainer.default_root_dir)
        path = folder / "last.ckpt"
        trainer.save_checkpoint(path, weights_only=False)  # the full training state
        stage = next((c.stage for c in trainer.callbacks if hasattr(c, "stage") and hasattr(c, "keyed")), None)
        raise preemption.Preempted(signum, str(path), stage)

    def on_train_epoch_start(self, trainer, pl_module) -> None:
        loader = trainer.train_dataloader
        if hasattr(loader, "consumed"):
            loader.consumed = 0


def _agreed(signum: int | None, device: torch.device) -> int | None:
    """Under DDP every process stops at the same batch (a signal may reach one process
    only, or the processes in different batches): the largest signal number any received."""
    _, world = rank_and_world()
    if world == 1:
        return signum
    flag = torch.tensor([signum or 0], device=device)  # on the GPU for NCCL
    torch.distributed.all_reduce(flag, op=torch.distributed.ReduceOp.MAX)
    return int(flag) or None
