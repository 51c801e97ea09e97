"""Checks that need the composed config and the data's facts, made before the first stage
trains, so a run that cannot finish fails in seconds with the key to change, not after
an hour of training."""

from __future__ import annotations

import logging
import os
import tempfile
import time
from pathlib import Path

from hydra.utils import instantiate
from omegaconf import DictConfig, OmegaConf

from ganlab.config.validate import ConfigError

STALE_AFTER_S = 3600  # a *.tmp this old is a write that was killed, not one in progress
LABEL_REFERENCES = ("${data_info.label_dim}",)  # parts sized by the labels (names alone may be empty)


RESUME_MISMATCH = ("refuse", "run_uncached")


def check_choices(cfg: DictConfig) -> None:
    if cfg.get("resume_mismatch", "refuse") not in RESUME_MISMATCH:
        raise ConfigError(f"resume_mismatch={cfg.resume_mismatch!r}: choose one of {list(RESUME_MISMATCH)}")


def check_writable(cfg: DictConfig) -> None:
    """paths.output_dir and paths.cache_dir can be created and written."""
    for key in ("output_dir", "cache_dir"):
        folder = Path(str(cfg.paths[key]))
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-check-"):
                pass
        except OSError as e:
            raise ConfigError(f"paths.{key}={folder}: cannot write there ({e.strerror or e}); "
                              f"set paths.{key}=<a writable folder>") from None


def check_labels(cfg: DictConfig) -> None:
    """A recipe whose parts are sized by the data's labels needs labelled data."""
    if cfg.data_info.label_dim:
        return
    text = OmegaConf.to_yaml(OmegaConf.masked_copy(cfg, [k for k in cfg if k not in ("data_info", "hydra")]))
    if any(ref in text for ref in LABEL_REFERENCES):
        raise ConfigError(
            f"this recipe ({cfg.get('experiment_name') or 'method ' + str(cfg.method.get('name'))}) needs labelled "
            f"data, but data={cfg.data._target_.rsplit('.', 1)[-1]} has no labels; choose labelled data "
            f"(e.g. data=celeba with list_attr_celeba.txt, or an embedded set: data=digits / synthfaces)")


def check_trainers(stage_trainers: dict[str, DictConfig]) -> None:
    """Build every stage's Trainer once (no callbacks, no logger) so that a bad value in a
    later stage (devices, accelerator, precision, ...) fails before the first one trains."""
    quiet = logging.getLogger("pytorch_lightning.utilities.rank_zero")
    level, quiet.level = quiet.level, logging.WARNING
    errors = []
    try:
        for name, trainer_cfg in stage_trainers.items():
            try:
                instantiate(trainer_cfg, callbacks=[], logger=False, enable_checkpointing=False)
            except Exception as e:  # noqa: BLE001 - Lightning raises several types for bad values
                errors.append(f"method.stages.{name}.trainer / trainer: {type(e).__name__}: {e}")
    finally:
        quiet.level = level
    if errors:
        raise ConfigError("invalid trainer settings:\n  " + "\n  ".join(errors))


def remove_stale_tmp(cache_dir: str | Path) -> list[Path]:
    """Delete the *.tmp files a killed writer left in the cache (older than an hour)."""
    removed = []
    for path in Path(cache_dir).glob("*/*.tmp"):
        try:
            if time.time() - path.stat().st_mtime > STALE_AFTER_S:
                os.remove(path)
                removed.append(path)
        except FileNotFoundError:
            pass  # another process cleaned it
    if removed:
        logging.getLogger("ganlab").info("cache: removed %d stale temporary file(s) under %s", len(removed), cache_dir)
    return removed
