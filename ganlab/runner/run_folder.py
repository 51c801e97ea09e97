"""A finished run, from plain Python: its config, its data and its trained stages.

    from ganlab.runner.run_folder import load_stage, load_datamodule
    module = load_stage("outputs/train/runs/<date>/<time>", "encoder")
    data = load_datamodule("outputs/train/runs/<date>/<time>")

A stage's weights come from the run's own checkpoint (checkpoints/<stage>/last.ckpt, written
when the run trained it) or else from the stage cache the run used (when it loaded the stage
from there); both are read weights-only."""

from __future__ import annotations

from pathlib import Path

import torch
from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf
from torch import nn

from ganlab import module_files
from ganlab.runner.stages import build_stage


def load_config(run_dir: str | Path) -> DictConfig:
    path = Path(run_dir) / "config.yaml"
    if not path.is_file():
        raise FileNotFoundError(f"{run_dir} is not a ganlab run folder: no {path.name} in it")
    return OmegaConf.load(path)


def load_datamodule(run_dir: str | Path):
    """The run's data (a domain pair where the recipe has `domains`), set up."""
    cfg = load_config(run_dir)
    datamodule = instantiate(cfg.data)
    if cfg.get("domains"):
        datamodule = instantiate(cfg.domains, images=datamodule)
    datamodule.setup()
    return datamodule


def load_stage(run_dir: str | Path, stage: str | None = None) -> nn.Module:
    """The trained module of `stage` (default: the recipe's last), with the stages it is
    built on, in eval mode."""
    run_dir = Path(run_dir)
    cfg = load_config(run_dir)
    names = list(cfg.method.stages)
    stage = names[-1] if stage is None else stage
    if stage not in names:
        raise ValueError(f"stage {stage!r} is not one of the run's stages {names}")
    modules, recipes, keys = {}, {}, {}
    for name in names[: names.index(stage) + 1]:
        module, recipes[name], cached = build_stage(cfg, name, modules, recipes, keys)
        checkpoint = run_dir / "checkpoints" / name / "last.ckpt"
        if checkpoint.is_file():
            state = torch.load(checkpoint, map_location="cpu", weights_only=True)["state_dict"]
        elif cached.is_file():
            state = module_files.read(cached)["state_dict"]
        else:
            raise FileNotFoundError(f"stage {name!r} of {run_dir}: neither {checkpoint} nor the cached {cached} "
                                    f"exists (was the cache folder moved? set GANLAB_CACHE as the run had it)")
        module.load_state_dict(state)
        modules[name] = module.eval()
    return modules[stage]
