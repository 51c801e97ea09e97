"""What every latent editor shares (LW, LT, InterFaceGAN, GANSpace): one edit per task
(`Male`, `count_1->count_2`), applied as `edit(codes, task, alpha)`; alpha = 1 is the
edit's natural strength (what LW and LT were trained for; for the training-free
directions, the distance between the class means along the direction)."""

from __future__ import annotations

import pytorch_lightning as pl
import torch

from ganlab.data.tasks import EditTask, parse_task
from ganlab.editing.correlation import correlation_mask, label_correlation


class LatentEditor(pl.LightningModule):
    def __init__(self, tasks: list[str], label_names: list[str], label_kind: str, name: str, seed: int = 0):
        super().__init__()
        if not tasks:
            raise ValueError("a latent editor needs at least one edit task (data.edits)")
        self.task_specs: list[EditTask] = [parse_task(t, list(label_names), label_kind) for t in tasks]
        self.tasks = [t.name for t in self.task_specs]
        self.label_kind, self.name, self.seed = label_kind, name, seed
        self.register_buffer("correlation", torch.eye(len(label_names)))

    def edit(self, codes: torch.Tensor, task: int, alpha: torch.Tensor | float) -> torch.Tensor:
        raise NotImplementedError

    def set_correlation(self, train_labels: torch.Tensor) -> None:
        """rho_ij from the training labels (kept in the state dict, so a loaded editor has it)."""
        self.correlation.copy_(label_correlation(train_labels).to(self.correlation))

    def mask(self, task: int, threshold: float) -> torch.Tensor:
        return correlation_mask(self.correlation, self.task_specs[task].target_column, threshold)
