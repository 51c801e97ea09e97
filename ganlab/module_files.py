"""Trained modules on disk as plain data: the resolved config that builds the module,
the configs of the modules it was built from, its state dict and its metrics. Loading
never unpickles code (torch.load(weights_only=True)); the config is rebuilt with Hydra."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import torch
from hydra.utils import instantiate
from omegaconf import OmegaConf
from torch import nn


def recipe(module_cfg, inputs: dict[str, dict] | None = None) -> dict[str, Any]:
    """How to rebuild a module: its resolved config plus the recipes of its inputs."""
    cfg = OmegaConf.to_container(module_cfg, resolve=True) if OmegaConf.is_config(module_cfg) else module_cfg
    return {"config": OmegaConf.to_yaml(cfg), "inputs": inputs or {}}


def build(rec: dict[str, Any]) -> nn.Module:
    inputs = {name: build(sub) for name, sub in rec["inputs"].items()}
    return instantiate(OmegaConf.create(rec["config"]), **inputs)


def save(path: str | Path, module: nn.Module, rec: dict[str, Any], metrics: dict[str, float] | None = None) -> None:
    """Atomic write (see atomic_save)."""
    state = {k: v.detach().cpu() for k, v in module.state_dict().items()}
    atomic_save({"recipe": rec, "state_dict": state, "metrics": metrics or {}}, path)


def atomic_save(payload: Any, path: str | Path) -> None:
    """torch.save through a temporary file in the same folder and a rename, so a reader
    sees the old file or the whole new one, never a part (and a killed writer leaves none)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    os.close(fd)
    try:
        torch.save(payload, tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def load(path: str | Path, map_location: str = "cpu") -> tuple[nn.Module, dict[str, float]]:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no module file at {path}")
    payload = torch.load(path, map_location=map_location, weights_only=True)
    module = build(payload["recipe"])
    module.load_state_dict(payload["state_dict"])
    module.eval()
    return module, payload["metrics"]


def read(path: str | Path) -> dict[str, Any]:
    """The raw payload (recipe, state_dict, metrics) of a module file."""
    return torch.load(Path(path), map_location="cpu", weights_only=True)
