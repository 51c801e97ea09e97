"""The one editor interface: `edit(codes, task, strength)` moves latent codes [N, ...] along
one of the editor's `tasks` (`Male`, `count_1->count_2`; `task` is its index) at a strength,
a scalar or one value per code. Strength 1 is the edit's natural size: what a trained
editor (LW, LT) was trained for, the class-mean distance along a fitted direction
(InterFaceGAN, GANSpace as recipe stages), or one standard deviation of the codes along a
direction fitted on labelled samples (the inversion evaluation's editors). A negative
strength edits the other way where the editor has one (directions do).

Every evaluation that edits takes editors through this interface, so an editor a config
names (a recipe stage, a zoo model, a class) serves every recipe that edits."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import torch


@runtime_checkable
class Editor(Protocol):
    tasks: list[str]

    def edit(self, codes: torch.Tensor, task: int, strength: torch.Tensor | float) -> torch.Tensor: ...


def alpha_column(alpha: torch.Tensor | float, codes: torch.Tensor) -> torch.Tensor:
    """alpha as a scalar or one value per code, shaped to broadcast over codes [N, ...]."""
    alpha = torch.as_tensor(alpha, dtype=codes.dtype, device=codes.device)
    return alpha.view(-1, *([1] * (codes.ndim - 1))) if alpha.ndim else alpha


def task_index(editor: Editor, task: str) -> int:
    """Where `task` is among the editor's tasks, or a clear error naming them."""
    if not isinstance(editor, Editor):
        raise TypeError(f"{type(editor).__name__} is not an editor (needs .tasks and .edit(codes, task, strength))")
    if task not in editor.tasks:
        raise KeyError(f"editor {getattr(editor, 'name', type(editor).__name__)} has no task {task!r}; "
                       f"its tasks: {list(editor.tasks)}")
    return list(editor.tasks).index(task)
