"""Which part of an inverter a training stage trains (a recipe's `trainable`): `all` of it;
`base`, HFGI's e4e base alone (HFGI's first stage, the e4e the UDA authors start from);
`residual`, HFGI's residual branch (the consultation fusion) on a frozen base (HFGI's
second stage, where the UDA authors apply their objective)."""

from __future__ import annotations

from torch import nn

TRAINABLE = ("all", "base", "residual")


def check_trainable(trainable: str, inverter: nn.Module) -> None:
    if trainable not in TRAINABLE:
        raise ValueError(f"trainable must be one of {TRAINABLE}, got {trainable!r}")
    if trainable != "all" and not (hasattr(inverter, "base") and hasattr(inverter, "consultation")):
        raise ValueError(f"trainable={trainable!r} needs an inverter with an e4e base and a residual branch "
                         f"(inverter=hfgi); {type(inverter).__name__} has neither: use trainable=all")


def trained_part(inverter: nn.Module, trainable: str) -> nn.Module:
    return {"all": inverter, "base": getattr(inverter, "base", None),
            "residual": getattr(inverter, "consultation", None)}[trainable]


def frozen_part(inverter: nn.Module, trainable: str) -> nn.Module | None:
    """What the stage leaves as it found it (None: nothing)."""
    return {"all": None, "base": getattr(inverter, "consultation", None),
            "residual": getattr(inverter, "base", None)}[trainable]
