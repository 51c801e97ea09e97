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
TRUSTED_FUNCTIONS = {"ganlab.zoo.load", "ganlab.nets.stylegan2.pretrained.pretrained_gan",
                     "ganlab.nets.stylegan2.pretrained.pretrained_generator"}
# What a class from outside ganlab must be: a network, an optimiser or a learning-rate schedule.
TRUSTED_BASES = (nn.Module, torch.optim.Optimizer, torch.optim.lr_scheduler.LRScheduler)


class UntrustedTargetError(ValueError):
    """A stored config names something a file may not make ganlab run."""


def targets(node: Any, key: str = "") -> list[tuple[str, Any]]:
    """Every (key, _target_ value) in a plain nested dict / list config."""
    found = []
    if isinstance(node, dict):
        for k, v in node.items():
            path = f"{key}.{k}" if key else str(k)
            if k == "_target_":
                found.append((path, v))
            else:
                found += targets(v, path)
    elif isinstance(node, (list, tuple)):
        for i, v in enumerate(node):
            found += targets(v, f"{key}[{i}]")
    return found


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


def _strings(node, key: str = ""):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _strings(v, f"{key}.{k}" if key else str(k))
    elif isinstance(node, (list, tuple)):
        for i, v in enumerate(node):
            yield from _strings(v, f"{key}[{i}]")
    elif isinstance(node, str):
        yield key, node


def _zoo_calls(node, key: str = ""):
    if isinstance(node, dict):
        if node.get("_target_") == ZOO_LOAD:
            yield key, node
        for k, v in node.items():
            yield from _zoo_calls(v, f"{key}.{k}" if key else str(k))
    elif isinstance(node, (list, tuple)):
        for i, v in enumerate(node):
            yield from _zoo_calls(v, f"{key}[{i}]")


def check(config: dict, source: str) -> None:
    """Refuse a stored config that names any untrusted target, holds an interpolation (a
    resolver could make a target after this check: stored configs are resolved when
    written), or hands the zoo loader overrides that could name code; `source` names the file."""
    bad = [f"{key}: {why}" for key, target in targets(config) if (why := refusal(target))]
    bad += [f"{key}: an interpolation ({text[:60]!r})" for key, text in _strings(config) if "${" in text]
    for key, call in _zoo_calls(config):
        bad += [f"{key}.overrides: {o!r} may name code" for o in call.get("overrides") or []
                if any(word in str(o) for word in OVERRIDE_WORDS)]
    if bad:
        raise UntrustedTargetError(
            f"{source}: refused to build its stored config, which names code a file may not run:\n  "
            + "\n  ".join(bad) + "\nOnly use module files ganlab wrote; delete this one (it is rebuilt or "
            "retrained from its recipe on the next run).")
