"""A finished run scored again with the current evaluation (e.g. after a metric's convention
changed), without training: its own overrides composed again, every stage loaded from the stage
cache the run wrote (a stage missing there is an error), and the recipe's evaluation run into
<run>/rescore/. Its metrics then replace the run's test/ ones in <run>/metrics.json (training
metrics stay; the old file is kept as metrics_before_rescore.json). The cache, not
checkpoints/<stage>/last.ckpt, holds a stage's final weights: with a monitored metric Lightning
writes last.ckpt only when it writes a best checkpoint, so it can be epochs older."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import yaml
from hydra.utils import instantiate

from ganlab.compose_config import compose
from ganlab.runner.run import prepare, write_outputs
from ganlab.runner.stages import build_stage, run_stages

TABLES = ("tables.md", "table_inversion.csv", "table_editing.csv")


def run_overrides(folder: Path) -> list[str]:
    """The run's command-line overrides, without its checkpoint and Hydra settings."""
    path = folder / ".hydra" / "overrides.yaml"
    if not path.is_file():
        raise FileNotFoundError(f"{folder} is not a finished run folder: no {path}")
    return [o for o in yaml.safe_load(path.read_text()) or [] if not o.startswith(("ckpt_path=", "hydra."))]


def run_cache_dir(folder: Path) -> str:
    config = folder / "config.yaml"
    if not config.is_file():
        raise FileNotFoundError(f"{folder} has no config.yaml: the run did not finish")
    return yaml.safe_load(config.read_text())["paths"]["cache_dir"]


def evaluate_from_cache(overrides: list[str], cache_dir: str, out: Path) -> dict[str, float]:
    """The recipe's evaluation on stages loaded from the cache, as train.py runs it after cache hits."""
    cfg, datamodule = prepare(compose([*overrides, f"paths.output_dir={out}", f"paths.cache_dir={cache_dir}",
                                       "logger=none"]))
    if not cfg.method.get("evaluate"):
        raise ValueError(f"the recipe of {' '.join(overrides)} has no evaluation (method.evaluate)")
    modules, recipes, keys = {}, {}, {}
    for name in cfg.method.stages:  # every stage must be cached: nothing trains here
        modules[name], recipes[name], cached = build_stage(cfg, name, modules, recipes, keys)
        if not cached.is_file():
            raise FileNotFoundError(f"stage {name!r} of this run is not in the cache ({cached}): it cannot be scored "
                                    f"without training it again (python train.py {' '.join(overrides)})")
    modules, _, _ = run_stages(cfg, datamodule)
    metrics = instantiate(cfg.method.evaluate)(stages=modules, datamodule=datamodule,
                                               out_dir=Path(cfg.paths.output_dir))
    write_outputs(cfg, metrics)
    return metrics


def rescore(folder: Path) -> dict[str, float]:
    """Score run `folder` again from its cached stages; returns its updated metrics.json."""
    folder = Path(folder)
    out = folder / "rescore"
    overrides = run_overrides(folder)
    scores = evaluate_from_cache(overrides, run_cache_dir(folder), out)
    metrics_file = folder / "metrics.json"
    old = json.loads(metrics_file.read_text()) if metrics_file.is_file() else {}
    if old and not (folder / "metrics_before_rescore.json").exists():
        shutil.copy(metrics_file, folder / "metrics_before_rescore.json")
    # the evaluation's keys are all rewritten (one the new evaluation no longer has must not survive)
    metrics = {**{k: v for k, v in old.items() if not k.startswith("test/")}, **scores}
    metrics_file.write_text(json.dumps(metrics, indent=2, sort_keys=True))
    for table in TABLES:
        if (out / table).is_file():
            shutil.copy(out / table, folder / table)
    return metrics
