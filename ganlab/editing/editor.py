"""The one editor interface: `edit(codes, task, strength)` moves codes [N, ...] along one of
the editor's `tasks` (`Male`, `count_1->count_2`; `task` is its index) at a strength, a
scalar or one value per code. Two kinds of strength:

- a step: LW's affine map and LT's layerwise map (methods/editors; 1 = what they were
  trained for), a fitted direction as a recipe stage (1 = the class-mean distance along it),
  the inversion evaluation's directions (editing.attribute_directions; 1 = one standard
  deviation of W along it); a negative step edits the other way where the editor has one;
- a position to move to: SCGAN's mode edit on mode weights (editing.mode_edit.ModeEditor)
  and InterFaceGAN on the same range (editing.boundary_editor.BoundaryEditor), 0 = the
  lowest training value, 1 = the highest; IcGAN's condition swap on y
  (editing.condition_swap.ConditionSwap), the attribute's target value.

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
