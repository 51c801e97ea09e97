"""What an edit of latent codes is asked to do, in terms of the labels.

A binary attribute `Male` edits codes labelled 0 (the negatives P-) toward 1 (the
positives P+). A categorical label edits one class toward another: `count_1->count_2`
takes the codes of class count_1 (P-) toward count_2 (P+), the LW paper's count editing."""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class EditTask:
    name: str
    source_column: int  # codes with labels[:, source_column] == source_value form P-
    source_value: float
    target_column: int  # the edit reached its target when labels[:, target_column] == target_value
    target_value: float

    def sources(self, labels: torch.Tensor) -> torch.Tensor:
        """Bool mask [N] of the codes the edit starts from (P-)."""
        return labels[:, self.source_column] == self.source_value

    def targets(self, labels: torch.Tensor) -> torch.Tensor:
        """Bool mask [N] of the codes that already have the target (P+)."""
        return labels[:, self.target_column] == self.target_value

    def reached(self, predictions: torch.Tensor) -> torch.Tensor:
        """Bool [N]: hard predictions [N, K] (0/1 or one-hot) show the target."""
        return predictions[:, self.target_column] == self.target_value


def parse_task(name: str, label_names: list[str], kind: str) -> EditTask:
    """`Male` (binary labels, 0 -> 1) or `count_1->count_2` (categorical, class -> class)."""
    names = list(label_names)
    if kind == "binary":
        if name not in names:
            raise ValueError(f"edit {name!r}: no such attribute; attributes are {names}")
        column = names.index(name)
        return EditTask(name, column, 0.0, column, 1.0)
    if kind == "categorical":
        source, sep, target = name.partition("->")
        if not sep or source not in names or target not in names or source == target:
            raise ValueError(f"edit {name!r}: categorical edits are written 'SOURCE->TARGET' with two different "
                             f"classes among {names}")
        return EditTask(name, names.index(source), 1.0, names.index(target), 1.0)
    raise ValueError(f"latent editing needs binary or categorical labels, got {kind!r}")


def default_edits(label_names: list[str], kind: str) -> list[str]:
    """Every attribute (binary), or each class to the next one (categorical: 1->2, 2->3, ...)."""
    if kind == "categorical":
        return [f"{a}->{b}" for a, b in zip(label_names[:-1], label_names[1:])]
    return list(label_names)


def parse_tasks(names: list[str] | None, label_names: list[str], kind: str) -> list[EditTask]:
    chosen = list(names) if names else default_edits(list(label_names), kind)
    if len(set(chosen)) != len(chosen):
        raise ValueError(f"edits listed twice: {chosen}")
    return [parse_task(n, list(label_names), kind) for n in chosen]
