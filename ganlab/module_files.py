"""Trained modules on disk as plain data: the resolved config that builds the module,
the configs of the modules it was built from, its state dict and its metrics. Loading
never unpickles code (torch.load(weights_only=True)); the config is rebuilt with Hydra,
and only after every `_target_` in it passed `ganlab.trust.targets.check`."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import torch
from hydra.utils import instantiate
from omegaconf import OmegaConf
from torch import nn

from ganlab.trust import targets


def recipe(module_cfg, inputs: dict[str, dict] | None = None) -> dict[str, Any]:
    """How to rebuild a module: its resolved config plus the recipes of its inputs."""
    cfg = OmegaConf.to_container(module_cfg, resolve=True) if OmegaConf.is_config(module_cfg) else module_cfg
    return {"config": OmegaConf.to_yaml(cfg), "inputs": inputs or {}}


def build(rec: dict[str, Any], source: str = "a module recipe") -> nn.Module:
    """The module a recipe describes; `source` (the file it came from) names it in errors."""
    config = OmegaConf.to_container(OmegaConf.create(rec["config"]))
    targets.check(config, source)
    inputs = {name: build(sub, source) for name, sub in rec["inputs"].items()}
    return instantiate(OmegaConf.create(config), **inputs)


def save(path: str | Path, module: nn.Module, rec: dict[str, Any], metrics: dict[str, float] | None = None,
         provenance: dict[str, str] | None = None) -> None:
    """Atomic write (see atomic_save). `provenance` says how the result was made when that
    is not a plain run of its recipe (e.g. resumed from a checkpoint)."""
    state = {k: v.detach().cpu() for k, v in module.state_dict().items()}
    atomic_save({"recipe": rec, "state_dict": state, "metrics": metrics or {}, "provenance": provenance or {}}, path)


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
    payload = read(path, map_location)
    module = build(payload["recipe"], str(path))
    load_state(module, payload["state_dict"], path)
    module.eval()
    return module, payload["metrics"]


class ModuleFileError(ValueError):
    """A module file that cannot be read or does not fit; the message names it and the fix."""


def read(path: str | Path, map_location: str = "cpu") -> dict[str, Any]:
    """The raw payload (recipe, state_dict, metrics) of a module file."""
    path = Path(path)
    try:
        payload = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as e:  # noqa: BLE001 - truncated, not a torch file, or carries code
        raise ModuleFileError(f"{path}: not a readable ganlab module file ({type(e).__name__}: "
                              f"{str(e).splitlines()[0][:200]}). Delete it; it is rebuilt from its recipe "
                              f"on the next run.") from None
    if not isinstance(payload, dict) or not {"recipe", "state_dict"} <= set(payload):
        raise ModuleFileError(f"{path}: not a ganlab module file (no recipe / state_dict). Delete it.")
    return payload


def load_state(module: nn.Module, state: dict, path: str | Path) -> None:
    """load_state_dict with an error that names the file when the shapes or keys differ."""
    try:
        module.load_state_dict(state)
    except RuntimeError as e:
        raise ModuleFileError(f"{path}: its weights do not fit the module this config builds "
                              f"({str(e).splitlines()[0][:200]} ...); it was written by another recipe or "
                              f"setting. Delete it, or pass the matching config.") from None
