"""Which folder a run writes to. A training run resumed from a checkpoint inside a run
folder (`<run>/checkpoints/<stage>/last.ckpt`) goes on in that folder, so a preempted run
and its resumption are one run on disk and in the loggers."""

from __future__ import annotations

from pathlib import Path

from omegaconf import OmegaConf


def run_dir(ckpt_path: str | None, task_name: str, fresh: str) -> str:
    """The run folder a checkpoint came from when resuming training, else `fresh`."""
    if task_name != "train" or not ckpt_path:
        return fresh
    folder = Path(str(ckpt_path)).resolve().parent.parent.parent
    if Path(str(ckpt_path)).resolve().parent.parent.name == "checkpoints" and (folder / ".hydra").is_dir():
        return str(folder)
    return fresh


def register() -> None:
    if not OmegaConf.has_resolver("ganlab.run_dir"):
        OmegaConf.register_new_resolver("ganlab.run_dir", run_dir)
