"""A W&B run's name, group and tags, so runs read apart on a dashboard: name = recipe plus
the overrides that make it differ, group = the multirun or sweep, tags = recipe, stages,
seed."""

from __future__ import annotations

from pathlib import Path

from hydra.core.hydra_config import HydraConfig
from hydra.types import RunMode

# Overrides that say where a run writes or how it logs, not what it computes.
NOISE = ("+experiment=", "experiment=", "hparams_search=", "paths.", "hydra.", "logger", "+logger", "callbacks.",
         "+callbacks.", "ckpt_path=")


def _hydra():
    return HydraConfig.get() if HydraConfig.initialized() else None


def _short(value: str) -> str:
    try:
        number = float(value)
    except ValueError:
        return value
    return value if number.is_integer() else f"{number:.4g}"


def differing_overrides(overrides: list[str]) -> list[str]:
    """`key=value` overrides that change what a run computes, the key shortened to its last
    part where that stays unambiguous and float values to 4 significant digits."""
    kept = [o.split("=", 1) for o in overrides if "=" in o and not o.startswith(NOISE)]
    last = [k.rsplit(".", 1)[-1] for k, _ in kept]
    return [f"{short if last.count(short) == 1 else key}={_short(value)}"
            for (key, value), short in zip(kept, last)]


def run_name(recipe: str) -> str:
    hydra = _hydra()
    overrides = list(hydra.overrides.task) if hydra else []
    return " ".join([recipe, *differing_overrides(overrides)])


def run_group(recipe: str) -> str:
    """The sweep's folder name for the jobs of a multirun or sweep; the recipe for a single run."""
    hydra = _hydra()
    if hydra is not None and hydra.mode == RunMode.MULTIRUN:
        return f"{recipe}-{Path(hydra.sweep.dir).name}"
    return recipe


def run_tags(recipe: str, stages: list[str], seed: int) -> list[str]:
    return list(dict.fromkeys([recipe, *stages, f"seed={seed}"]))
