"""Named pretrained models.

`load("cgan-digits32")` returns the model from, in order: an explicit `path`, the
environment variable GANLAB_ZOO_<NAME> (name upper-cased, '-' -> '_'), the cache
(`<cache_dir>/zoo/<name>.pt`), or, for models ganlab can train itself, by running the
recipe named in configs/zoo/<name>.yaml once (saying so in the log) and caching it.
The cache file's name carries a key of the composed recipe and of the code that trains it
(`cache_key`), so a changed recipe, module or debug override never reuses an old model.
Works from plain Python; Hydra is used underneath to compose the recipe."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytorch_lightning as pl
from torch import nn

from ganlab import module_files
from ganlab.cache_lock import cache_lock
from ganlab.compose_config import compose
from ganlab.config.preflight import remove_stale_tmp
from ganlab.preemption import Preempted
from ganlab.randomness import global_rng_kept
from ganlab.runner.run import prepare
from ganlab.runner.stages import run_stages
from ganlab.zoo_catalog import (
    cache_file,
    cache_key,
    default_cache_dir,
    entry,
    env_variable,
    metrics,
    names,
    recipe_overrides,
    source_key,
)

__all__ = ["cache_key", "default_cache_dir", "entry", "is_cached", "load", "metrics", "names", "source_key"]

log = logging.getLogger("ganlab")


def _train(name: str, cache_dir: Path, overrides: list[str], target: Path) -> None:
    spec = entry(name)
    run_dir = cache_dir / "zoo" / f"{target.stem}-run"
    command = [*recipe_overrides(name), *overrides]
    log.warning("zoo: %s is not cached; training it once with `python train.py %s` (run folder %s)",
                name, " ".join(command), run_dir)
    cfg, datamodule = prepare(compose([*command, f"paths.cache_dir={cache_dir}", f"paths.output_dir={run_dir}",
                                        "logger=none"]))
    try:
        modules, recipes, metrics = run_stages(cfg, datamodule, until=spec.stage)
    except Preempted as e:  # its checkpoint belongs to the zoo's run, not the caller's recipe: rerun instead
        raise Preempted(e.signum, None, f"zoo {name} (trained again on the next run)") from None
    module = modules[spec.stage]
    if spec.get("evaluate_split"):
        metrics.update(_held_out_scores(module, datamodule, spec.evaluate_split))
    module_files.save(target, module, recipes[spec.stage], metrics)
    log.warning("zoo: %s cached at %s (%s)", name, target,
                {k: round(v, 4) for k, v in metrics.items() if k.startswith("held_out/")})


def _held_out_scores(module, datamodule, split: str) -> dict[str, float]:
    loader = datamodule.test_dataloader() if split == "test" else datamodule.val_dataloader()
    trainer = pl.Trainer(logger=False, enable_progress_bar=False, enable_model_summary=False, accelerator="cpu")
    results = trainer.test(module, dataloaders=loader, verbose=False)[0]
    return {f"held_out/{k.split('/')[-1]}": float(v) for k, v in results.items()}


def is_cached(name: str, cache_dir: str | None = None, overrides: list[str] | None = None) -> bool:
    """Would `load` find the model without training it?"""
    entry(name)  # unknown names fail here
    if os.environ.get(env_variable(name)):
        return True
    cache = Path(cache_dir) if cache_dir else default_cache_dir()
    return cache_file(name, cache, list(overrides or [])).is_file()


def load(name: str, path: str | None = None, cache_dir: str | None = None,
         overrides: list[str] | None = None, data_root: str | None = None) -> nn.Module:
    """The zoo model `name`, ready to use (eval mode). `overrides` are extra recipe
    overrides used only if it must be trained (they also key its cache file);
    `data_root` is where a real dataset it trains on lies (it does not key the cache).
    The caller's global RNGs are left as they were (training reseeds them, building the
    module draws its init), so a recipe draws the same with a cold or a warm cache."""
    with global_rng_kept():
        return _load(name, path, cache_dir, overrides, data_root)


def _load(name: str, path: str | None, cache_dir: str | None, overrides: list[str] | None,
          data_root: str | None) -> nn.Module:
    overrides = list(overrides or [])
    env_path = os.environ.get(env_variable(name))
    explicit = path or env_path
    if explicit:
        if not Path(explicit).is_file():
            raise FileNotFoundError(f"zoo model {name}: no file at {explicit} (given by "
                                    f"{'path=' if path else env_variable(name)}); "
                                    f"unset it to use the cache or train the model")
        module, _ = module_files.load(explicit)
        return module
    cache = Path(cache_dir) if cache_dir else default_cache_dir()
    remove_stale_tmp(cache)
    target = cache_file(name, cache, overrides)
    if not target.is_file():
        with cache_lock(target, f"zoo {name}"):
            if not target.is_file():  # another process may have trained it while this one waited
                _train(name, cache, overrides + ([f"data.root={data_root}"] if data_root else []), target)
    module, metrics = module_files.load(target)
    module.zoo_metrics = metrics
    log.info("zoo: %s loaded from %s", name, target)
    return module
