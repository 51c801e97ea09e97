"""Instantiate the `callbacks` and `logger` config groups for one stage."""

from __future__ import annotations

from hydra.utils import instantiate
from omegaconf import DictConfig

from ganlab.callbacks.final_checkpoint import FinalCheckpoint
from ganlab.callbacks.preemption import Preemption
from ganlab.callbacks.stage_tag import StageTag


def build_callbacks(cfg: DictConfig, tag: StageTag | None = None) -> list:
    """The configured callbacks after the three every stage has: its checkpoint tag,
    preemption handling and a last.ckpt of the final weights."""
    callbacks = [tag or StageTag(cfg.stage.name), Preemption(), FinalCheckpoint()]
    for key, node in (cfg.get("callbacks") or {}).items():
        if node is None:
            continue
        if key == "lr_monitor" and not cfg.get("logger"):
            continue  # Lightning refuses a LearningRateMonitor without a logger
        callbacks.append(instantiate(node))
    return callbacks


def build_loggers(cfg: DictConfig) -> list:
    return [instantiate(node) for node in (cfg.get("logger") or {}).values() if node is not None]
