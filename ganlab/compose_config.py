"""The one way ganlab code, scripts and tests compose a config from its command-line overrides.

    from ganlab import compose
    cfg = compose(["+experiment=icgan", "seed=3"])   # what `python train.py +experiment=icgan seed=3` runs

Hydra composes it from configs/. Inside a running Hydra app (train.py, which the zoo composes
from) the app's own Hydra instance, which reads the same configs/, is used; anywhere else one is
set up for this call and torn down after it."""

from __future__ import annotations

import os
from pathlib import Path

from hydra import compose as hydra_compose
from hydra import initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from hydra.errors import ConfigCompositionException
from omegaconf import DictConfig

CONFIG_DIR = Path(__file__).resolve().parents[1] / "configs"


def compose(overrides: list[str], config_name: str = "train", hydra_config: bool = False) -> DictConfig:
    """configs/<config_name>.yaml with `overrides` applied, as train.py composes it.
    hydra_config: keep the `hydra` node (launcher, sweeper, run folders). An override of a key
    the config lacks, or of a recipe that does not exist, raises ConfigCompositionException
    naming it and the overrides it came with."""
    if isinstance(overrides, str):
        raise TypeError(f"overrides must be a list of strings, got the string {overrides!r}")
    os.environ.setdefault("GANLAB_ROOT", str(CONFIG_DIR.parent))  # paths.root_dir, as train.py sets it
    try:
        if GlobalHydra.instance().is_initialized():
            return hydra_compose(config_name=config_name, overrides=list(overrides), return_hydra_config=hydra_config)
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            return hydra_compose(config_name=config_name, overrides=list(overrides), return_hydra_config=hydra_config)
    except ConfigCompositionException as e:
        raise ConfigCompositionException(f"composing {config_name!r} with {list(overrides)}: {e}") from e
