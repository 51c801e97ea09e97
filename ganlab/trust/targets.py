"""The `_target_`s a config read from a file (a zoo or stage-cache module file) may name.

A module file stores the config that rebuilds its module; instantiating it runs whatever
the config names. So a file from elsewhere (`GANLAB_ZOO_*`, `path=`, a shared cache) may
only name ganlab's own classes (building one has no effect outside the object), optimisers
and schedules, and the few loader functions below; any other function, ganlab's included
(e.g. one that writes files), and anything outside these packages is refused, outside
ones before any import happens."""

from __future__ import annotations

import inspect
from typing import Any

import torch
from hydra.utils import get_object
from torch import nn

# Where a stored target may come from (checked as text before anything is imported).
TRUSTED_PACKAGES = ("ganlab.", "torch.optim.", "pytorch_optimizer.")
# Callables (not classes) a stored config may name: the loaders of pretrained parts.
TRUSTED_FUNCTIONS = {"ganlab.zoo.load", "ganlab.pretrained.pretrained_gan", "ganlab.pretrained.pretrained_generator",
                     "ganlab.pretrained.fid_features"}
# What a class from outside ganlab must be: a network, an optimiser or a learning-rate schedule.
TRUSTED_BASES = (nn.Module, torch.optim.Optimizer, torch.optim.lr_scheduler.LRScheduler)


class UntrustedTargetError(ValueError):
    """A stored config names something a file may not make ganlab run."""


def nodes(node: Any, key: str = ""):
    """Every (key, value) of a plain nested dict / list config, containers included."""
    yield key, node
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, (list, tuple)) else ()
    for k, v in items:
        yield from nodes(v, f"{key}[{k}]" if isinstance(k, int) else f"{key}.{k}" if key else str(k))


def targets(node: Any) -> list[tuple[str, Any]]:
    """Every (key, _target_ value) in a plain nested dict / list config."""
    return [(f"{key}._target_" if key else "_target_", value["_target_"])
            for key, value in nodes(node) if isinstance(value, dict) and "_target_" in value]


def refusal(target: Any) -> str | None:
    """Why `target` may not be built from a file, or None when it may."""
    if not isinstance(target, str) or not target.startswith(TRUSTED_PACKAGES):
        return f"{target!r} is outside {', '.join(p + '*' for p in TRUSTED_PACKAGES)}"
    if target in TRUSTED_FUNCTIONS:
        return None
    try:
        obj = get_object(target)
    except Exception as e:  # noqa: BLE001 - any import failure is a refusal with its reason
        return f"{target!r} cannot be imported ({e})"
    if not inspect.isclass(obj):
        return f"{target!r} is a function, not one of the loaders {sorted(TRUSTED_FUNCTIONS)}"
    if not target.startswith("ganlab.") and not issubclass(obj, TRUSTED_BASES):
        return f"{target!r} is not a network, optimiser or schedule class"
    return None


# Keys of the zoo loader a file may set: which model, and the recipe overrides it was
# trained under (checked below); not a code path or another folder to train into.
ZOO_LOAD = "ganlab.zoo.load"
OVERRIDE_WORDS = ("_target_", "_args_", "_partial_", "_recursive_", "_convert_", "hydra", "${", "callbacks",
                  "logger")


def check(config: dict, source: str) -> None:
    """Refuse a stored config that names any untrusted target, holds an interpolation (a
    resolver could make a target after this check: stored configs are resolved when
    written), or hands the zoo loader overrides that could name code; `source` names the file."""
    bad = [f"{key}: {why}" for key, target in targets(config) if (why := refusal(target))]
    bad += [f"{key}: an interpolation ({text[:60]!r})" for key, text in nodes(config)
            if isinstance(text, str) and "${" in text]
    for key, call in ((k, v) for k, v in nodes(config) if isinstance(v, dict) and v.get("_target_") == ZOO_LOAD):
        bad += [f"{key}.overrides: {o!r} may name code" for o in call.get("overrides") or []
                if any(word in str(o) for word in OVERRIDE_WORDS)]
    if bad:
        raise UntrustedTargetError(
            f"{source}: refused to build its stored config, which names code a file may not run:\n  "
            + "\n  ".join(bad) + "\nOnly use module files ganlab wrote; delete this one (it is rebuilt or "
            "retrained from its recipe on the next run).")
