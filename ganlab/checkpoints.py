"""Lightning checkpoints written by ganlab stages: read weights-only, and tell whether one
may resume the stage a run is about to train (same recipe, data, trainer and code)."""

from __future__ import annotations

from pathlib import Path

import torch
from omegaconf import OmegaConf

from ganlab.config.validate import ConfigError


def read_tag(ckpt_path: str | Path) -> dict:
    """The `ganlab` entry of a checkpoint (stage name, stage key, what the key covers).
    Loaded weights-only: a checkpoint carrying code is refused, never run."""
    path = Path(ckpt_path)
    if not path.is_file():
        raise ConfigError(f"ckpt_path={ckpt_path}: no such file (expected .../checkpoints/<stage>/last.ckpt)")
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # noqa: BLE001 - truncated, not a checkpoint, or carries code
        raise ConfigError(f"ckpt_path={ckpt_path}: not a readable checkpoint ({type(e).__name__}: "
                          f"{str(e).splitlines()[0][:200]}). Pass a last.ckpt that ganlab wrote, "
                          f"or drop ckpt_path to start afresh.") from None
    tag = ckpt.get("ganlab") if isinstance(ckpt, dict) else None
    if not isinstance(tag, dict) or "stage" not in tag:
        raise ConfigError(f"ckpt_path={ckpt_path} was not written by a ganlab stage (no 'ganlab' entry)")
    return tag


def _flat(node, prefix: str = "") -> dict[str, object]:
    if isinstance(node, dict):
        out = {}
        for k, v in node.items():
            out.update(_flat(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: node}


def _plain(keyed) -> dict:
    """A stage's keyed description with its recipe's YAML text opened up, so differences
    are named key by key."""
    plain = OmegaConf.to_container(OmegaConf.create(keyed)) if not isinstance(keyed, dict) else dict(keyed)
    recipe = plain.get("recipe")
    if isinstance(recipe, dict) and isinstance(recipe.get("config"), str):
        plain["recipe"] = {**recipe, "config": OmegaConf.to_container(OmegaConf.create(recipe["config"]))}
    return plain


def differences(stored, current: dict, most: int = 12) -> list[str]:
    """`key: checkpoint value -> this run's value` for each setting that differs."""
    a, b = _flat(_plain(OmegaConf.create(stored) if isinstance(stored, str) else stored)), _flat(_plain(current))
    lines = [f"{k}: {a.get(k, '<absent>')!r} -> {b.get(k, '<absent>')!r}"
             for k in sorted(set(a) | set(b)) if a.get(k, "<absent>") != b.get(k, "<absent>")]
    return lines[:most] + ([f"... and {len(lines) - most} more"] if len(lines) > most else [])


def check_resumable(ckpt_path: str, tag: dict, key: str, keyed: dict, allow_mismatch: bool) -> bool:
    """True when the checkpoint was written by this very stage setting. Otherwise refuse,
    naming what differs, unless `allow_mismatch` (resume_mismatch=run_uncached): then the
    stage runs but its result (and what is built on it) is not cached."""
    if tag.get("key") == key:
        return True
    if tag.get("key") is None:  # an older ganlab's, or a run resumed under other settings
        diff = ["the checkpoint records no stage key: written by an older ganlab, or by a run resumed "
                "with resume_mismatch=run_uncached"]
    else:
        diff = differences(tag["keyed"], keyed)
    if not allow_mismatch:
        raise ConfigError(
            f"ckpt_path={ckpt_path} was written by another setting of stage {tag['stage']!r}; resuming it would "
            f"cache its result under this run's settings. What differs (checkpoint -> this run):\n  "
            + "\n  ".join(diff) + "\nResume with the checkpoint's own settings, or add resume_mismatch=run_uncached "
            "to run anyway without caching the result.")
    return False
